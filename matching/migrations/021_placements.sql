-- Placements (tewerkstellingen), their follow-up at 3, 6 and 12 months, and what a later
-- outcome-trained ranker would need: per placement, the job targets suggested at the time
-- (shown, with rank, score and model), whether the coach chose them and whether it was placed.
CREATE TABLE matching.placements (
    placement_id    VARCHAR PRIMARY KEY,       -- T-XXXXXX
    participant_id  VARCHAR NOT NULL,
    employer_id     VARCHAR NOT NULL,
    occupation_uri  VARCHAR NOT NULL,
    contract_type   VARCHAR NOT NULL,          -- permanent / fixed_term / interim / twe / internship / other
    hours_per_week  INTEGER NOT NULL,
    starts_on       DATE NOT NULL,
    ends_on         DATE,
    vacancy_id      VARCHAR,
    shortlist_id    VARCHAR,
    created_by      VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE TABLE matching.followups (
    placement_id    VARCHAR NOT NULL,
    months          INTEGER NOT NULL,          -- 3 / 6 / 12
    checked_on      DATE NOT NULL,
    still_employed  BOOLEAN NOT NULL,
    same_employer   BOOLEAN,
    note            VARCHAR,
    by_user         VARCHAR NOT NULL,
    at_time         TIMESTAMP NOT NULL,
    PRIMARY KEY (placement_id, months)
);
CREATE TABLE matching.suggestion_outcomes (
    placement_id    VARCHAR NOT NULL,
    participant_id  VARCHAR NOT NULL,
    log_id          BIGINT,                    -- the job-target request shown before the placement
    model           VARCHAR,
    occupation_uri  VARCHAR NOT NULL,
    shown_rank      INTEGER,                   -- NULL: placed in an occupation that was not suggested
    score           DOUBLE,
    chosen          BOOLEAN NOT NULL,          -- among the agreed job targets
    placed          BOOLEAN NOT NULL,
    recorded_at     TIMESTAMP NOT NULL
);
