-- Employers in the region (werkgevers): company data, contact persons (personal data of
-- employees), occupations they hire for, a timeline of contacts and actions, and concerns
-- ("drempels en bezorgdheden"). Written only by matching.employers.
CREATE TABLE matching.employers (
    employer_id  VARCHAR PRIMARY KEY,          -- W-XXXXXX
    name         VARCHAR NOT NULL,
    kbo          VARCHAR UNIQUE,               -- 0123.456.749 (checksum validated)
    sector       VARCHAR,
    postcode     VARCHAR NOT NULL,
    owner        VARCHAR NOT NULL,             -- the liaison who looks after this employer
    created_by   VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE TABLE matching.employer_contacts (
    contact_id   VARCHAR PRIMARY KEY,
    employer_id  VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    job_role     VARCHAR,
    phone        VARCHAR,
    email        VARCHAR,
    created_by   VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE TABLE matching.employer_occupations (
    employer_id     VARCHAR NOT NULL,
    occupation_uri  VARCHAR NOT NULL,
    added_by        VARCHAR NOT NULL,
    added_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (employer_id, occupation_uri)
);
-- Append-only timeline: introductions, visits, job shadowing, diversity actions, places offered,
-- candidates presented.
CREATE TABLE matching.employer_events (
    event_id        VARCHAR PRIMARY KEY,
    employer_id     VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,
    happened_on     DATE NOT NULL,
    occupation_uri  VARCHAR,
    participant_id  VARCHAR,                   -- a candidate presented (never shown to liaisons)
    note            VARCHAR,
    by_user         VARCHAR NOT NULL,
    at_time         TIMESTAMP NOT NULL
);
CREATE TABLE matching.employer_concerns (
    concern_id   VARCHAR PRIMARY KEY,
    employer_id  VARCHAR NOT NULL,
    code         VARCHAR NOT NULL,             -- language / attitude / paperwork / transport / …
    note         VARCHAR,
    raised_on    DATE NOT NULL,
    by_user      VARCHAR NOT NULL,
    at_time      TIMESTAMP NOT NULL
);
-- A vacancy belongs to an employer (nullable: older vacancies name the employer as text only).
ALTER TABLE matching.vacancies ADD COLUMN employer_id VARCHAR;
