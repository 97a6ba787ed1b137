-- Service settings (e.g. the key that signs CSRF tokens) and an index for the audit log.
CREATE TABLE service.settings (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);
CREATE INDEX audit_log_time ON service.audit_log (occurred_at);
