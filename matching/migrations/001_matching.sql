-- Matching: cached skill neighbours, language requirements, vacancies, shortlists and the
-- append-only request log. Written only by the matching package.

-- Related-skill lists (partial credit), one set per taxonomy import and neighbour model.
CREATE TABLE matching.skill_neighbours (
    import_id     INTEGER NOT NULL,
    model         VARCHAR NOT NULL,   -- e.g. 'minilm+hierarchy' or 'hierarchy'
    skill_uri     VARCHAR NOT NULL,   -- the skill that gets credit ...
    neighbour_uri VARCHAR NOT NULL,   -- ... from this skill of the participant
    weight        DOUBLE NOT NULL,    -- credit factor in (0, 1)
    source        VARCHAR NOT NULL    -- embedding / hierarchy / relation
);
CREATE TABLE matching.neighbour_builds (
    import_id   INTEGER NOT NULL,
    model       VARCHAR NOT NULL,
    built_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    pairs       INTEGER NOT NULL,
    PRIMARY KEY (import_id, model)
);

-- Dutch CEFR requirement overrides; the shipped defaults by ISCO group live in
-- matching/data/language_requirements_isco.csv.
CREATE TABLE matching.language_requirements (
    scope       VARCHAR NOT NULL,     -- isco / occupation
    key         VARCHAR NOT NULL,     -- ISCO code or occupation URI
    listening   VARCHAR NOT NULL,
    reading     VARCHAR NOT NULL,
    speaking    VARCHAR NOT NULL,
    writing     VARCHAR NOT NULL,
    note        VARCHAR,
    updated_by  VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (scope, key)
);

CREATE SEQUENCE matching.vacancy_seq START 1;
CREATE TABLE matching.vacancies (
    vacancy_id       VARCHAR PRIMARY KEY,
    owner            VARCHAR NOT NULL,   -- username of the liaison who created it
    title            VARCHAR NOT NULL,
    description      VARCHAR NOT NULL,
    employer         VARCHAR NOT NULL,
    postcode         VARCHAR NOT NULL,
    hours_per_week   INTEGER NOT NULL,
    shifts           VARCHAR[] NOT NULL,
    weekends         BOOLEAN NOT NULL,
    dutch_listening  VARCHAR,
    dutch_reading    VARCHAR,
    dutch_speaking   VARCHAR,
    dutch_writing    VARCHAR,
    proposal         JSON NOT NULL,      -- proposed occupations and skills with scores
    status           VARCHAR NOT NULL,   -- proposed / confirmed / closed
    occupation_uris  VARCHAR[],          -- confirmed
    essential_skills VARCHAR[],          -- confirmed
    optional_skills  VARCHAR[],          -- confirmed
    confirmed_by     VARCHAR,
    confirmed_at     TIMESTAMP,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    source           VARCHAR             -- 'form' or 'file <name> row <n>'
);

CREATE TABLE matching.shortlists (
    shortlist_id      VARCHAR PRIMARY KEY,
    vacancy_id        VARCHAR NOT NULL,
    created_by        VARCHAR NOT NULL,
    created_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    suggestion        JSON NOT NULL,     -- ranked candidates with scores and explanations
    status            VARCHAR NOT NULL,  -- suggested / confirmed
    confirmed_by      VARCHAR,
    confirmed_at      TIMESTAMP,
    confirmed_order   VARCHAR[],
    reasons           JSON
);

-- Append-only: status changes are new rows, never updates.
CREATE SEQUENCE matching.status_seq START 1;
CREATE TABLE matching.candidate_status (
    seq             BIGINT PRIMARY KEY,
    shortlist_id    VARCHAR NOT NULL,
    participant_id  VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,  -- contacted / invited / hired / rejected
    changed_by      VARCHAR NOT NULL,
    note            VARCHAR,
    changed_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Append-only: one row per job-target or shortlist request.
CREATE SEQUENCE matching.log_seq START 1;
CREATE TABLE matching.request_log (
    log_id            BIGINT PRIMARY KEY,
    kind              VARCHAR NOT NULL,  -- job_targets / shortlist
    requested_by      VARCHAR NOT NULL,
    requested_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    input_ids         VARCHAR[] NOT NULL,
    model             VARCHAR NOT NULL,
    taxonomy_version  VARCHAR NOT NULL,
    outputs           JSON NOT NULL      -- [{"id": ..., "score": ..., "rank": ...}]
);
