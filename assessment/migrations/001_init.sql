-- Participants, their assessments, consent and trajectory. Written only by assessment/.
-- Ranking code reads participants through assessment.profiles (never contacts or
-- protected_attributes). History tables are append-only: corrections add rows.
CREATE TABLE assessment.participants (
    participant_id        VARCHAR PRIMARY KEY,   -- pseudonymous, random (P-XXXXXX)
    coach                 VARCHAR,               -- username of the coach (caseload)
    postcode              VARCHAR,
    transport_modes       VARCHAR[] NOT NULL,
    max_commute_minutes   INTEGER NOT NULL,
    hours_per_week        INTEGER NOT NULL,
    shifts                VARCHAR[] NOT NULL,
    weekends              BOOLEAN NOT NULL,
    preferred_sectors     VARCHAR[] NOT NULL,
    preferred_occupations VARCHAR[] NOT NULL,
    experience_text       VARCHAR,
    education_level       VARCHAR,
    diploma_recognition   VARCHAR,
    languages             VARCHAR[] NOT NULL,
    declared_skills       VARCHAR[] NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    created_by            VARCHAR NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
-- Declared work experience as ESCO occupations.
CREATE TABLE assessment.experience (
    participant_id  VARCHAR NOT NULL,
    position        INTEGER NOT NULL,
    occupation_uri  VARCHAR NOT NULL,
    years           DOUBLE NOT NULL,
    description     VARCHAR,
    PRIMARY KEY (participant_id, position)
);
-- Contact details: shown to the coach, never read by profiles or ranking.
CREATE TABLE assessment.contacts (
    participant_id  VARCHAR PRIMARY KEY,
    name            VARCHAR,
    phone           VARCHAR,
    email           VARCHAR,
    address         VARCHAR,
    referrer        VARCHAR
);
-- Protected attributes: for fairness monitoring only, never read by profiles or ranking.
CREATE TABLE assessment.protected_attributes (
    participant_id     VARCHAR PRIMARY KEY,
    nationality        VARCHAR,
    country_of_origin  VARCHAR,
    gender             VARCHAR,
    date_of_birth      DATE
);
-- Append-only log of changes to a participant (what changed, by whom, when).
CREATE TABLE assessment.participant_history (
    participant_id  VARCHAR NOT NULL,
    changed_at      TIMESTAMP NOT NULL,
    changed_by      VARCHAR NOT NULL,
    fields          VARCHAR[] NOT NULL
);
-- Consent to share the pseudonymised profile with employers: the latest event counts.
CREATE TABLE assessment.consent_events (
    participant_id  VARCHAR NOT NULL,
    seq             INTEGER NOT NULL,
    given           BOOLEAN NOT NULL,
    at_time         TIMESTAMP NOT NULL,
    by_user         VARCHAR NOT NULL,
    note            VARCHAR,
    PRIMARY KEY (participant_id, seq)
);
-- Uploaded batches (Excel/CSV); the content hash rejects a second upload of the same sheet.
CREATE TABLE assessment.batches (
    batch_id        VARCHAR PRIMARY KEY,
    content_sha256  VARCHAR NOT NULL UNIQUE,
    file_name       VARCHAR NOT NULL,
    instrument_id   VARCHAR NOT NULL,
    instrument_version VARCHAR NOT NULL,
    assessor        VARCHAR NOT NULL,
    imported_at     TIMESTAMP NOT NULL,
    n_records       INTEGER NOT NULL
);
-- Assessment records: append-only; a correction is a new record with `corrects` set.
CREATE TABLE assessment.records (
    record_id           VARCHAR PRIMARY KEY,
    participant_id      VARCHAR NOT NULL,
    instrument_id       VARCHAR NOT NULL,
    instrument_version  VARCHAR NOT NULL,
    assessor            VARCHAR NOT NULL,
    assessed_on         DATE NOT NULL,
    recorded_at         TIMESTAMP NOT NULL,
    scores              JSON NOT NULL,        -- {item_id: number | CEFR level}
    corrects            VARCHAR,              -- record_id this one replaces
    batch_id            VARCHAR,
    comment             VARCHAR
);
-- Agreed job targets (jobdoelwitten): each agreement is a new row; the latest counts.
CREATE TABLE assessment.agreed_targets (
    participant_id   VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    occupation_uris  VARCHAR[] NOT NULL,
    note             VARCHAR,
    by_user          VARCHAR NOT NULL,
    at_time          TIMESTAMP NOT NULL,
    PRIMARY KEY (participant_id, seq)
);
-- Trajectory steps: every change of a step is a new event row; the latest per step counts.
CREATE TABLE assessment.trajectory_events (
    step_id         VARCHAR NOT NULL,
    seq             INTEGER NOT NULL,
    participant_id  VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    starts_on       DATE,
    ends_on         DATE,
    note            VARCHAR,
    by_user         VARCHAR NOT NULL,
    at_time         TIMESTAMP NOT NULL,
    PRIMARY KEY (step_id, seq)
);
