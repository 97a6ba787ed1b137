-- Accounts, API tokens and the audit trail. Written only by service/.
CREATE TABLE service.users (
    username       VARCHAR PRIMARY KEY,
    display_name   VARCHAR NOT NULL,
    role           VARCHAR NOT NULL,           -- assessor / coach / liaison / admin
    password_hash  VARCHAR NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE service.tokens (
    token_hash   VARCHAR PRIMARY KEY,           -- sha256 of the bearer token
    username     VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,              -- api / session
    created_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at   TIMESTAMP NOT NULL
);
CREATE SEQUENCE service.audit_seq;
CREATE TABLE service.audit_log (
    audit_id    BIGINT PRIMARY KEY DEFAULT nextval('service.audit_seq'),
    occurred_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username    VARCHAR,
    role        VARCHAR,
    action      VARCHAR NOT NULL,               -- e.g. read_participant, rank_job_targets
    object_type VARCHAR,
    object_id   VARCHAR,
    purpose     VARCHAR,
    detail      JSON
);
