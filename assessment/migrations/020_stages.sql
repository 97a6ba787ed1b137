-- The programme pipeline: intake groups (cohorts), each participant's stage with dates,
-- prescreening outcomes with reasons, and the people involved. Written only by assessment.stages.
CREATE TABLE assessment.cohorts (
    cohort_id   VARCHAR PRIMARY KEY,           -- G-XXXXXX
    name        VARCHAR NOT NULL UNIQUE,       -- e.g. "Brugge werkt 2026-1"
    starts_on   DATE,
    created_by  VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE TABLE assessment.cohort_members (
    participant_id  VARCHAR PRIMARY KEY,
    cohort_id       VARCHAR NOT NULL,
    by_user         VARCHAR NOT NULL,
    at_time         TIMESTAMP NOT NULL
);
-- Append-only: a stage reached on a date; the latest by (on_date, seq) is the current stage.
CREATE TABLE assessment.stage_events (
    participant_id  VARCHAR NOT NULL,
    seq             INTEGER NOT NULL,
    stage           VARCHAR NOT NULL,
    on_date         DATE NOT NULL,
    outcome         VARCHAR,                   -- prescreening: selected / not_selected / on_hold
    reason          VARCHAR,                   -- prescreening: motivation / dutch_progress / …
    note            VARCHAR,
    by_user         VARCHAR NOT NULL,
    at_time         TIMESTAMP NOT NULL,
    PRIMARY KEY (participant_id, seq)
);
-- The professionals around a participant (referrer of OCMW or VDAB, teacher); the coach is
-- participants.coach.
CREATE TABLE assessment.programme_people (
    participant_id  VARCHAR PRIMARY KEY,
    referrer_org    VARCHAR,                   -- OCMW / VDAB / other
    referrer_name   VARCHAR,
    teacher         VARCHAR,
    updated_by      VARCHAR NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
