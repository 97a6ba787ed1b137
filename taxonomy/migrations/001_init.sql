-- ESCO concepts, labels and relations. Written only by taxonomy.esco_import.
CREATE TABLE taxonomy.imports (
    import_id     INTEGER PRIMARY KEY,
    esco_version  VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    languages     VARCHAR[] NOT NULL,
    imported_at   TIMESTAMP NOT NULL,
    counts        JSON NOT NULL,
    skipped       JSON NOT NULL,
    ignored_files VARCHAR[] NOT NULL
);
CREATE TABLE taxonomy.occupations (
    uri             VARCHAR PRIMARY KEY,
    code            VARCHAR,
    isco_group      VARCHAR,
    status          VARCHAR,
    modified        VARCHAR,
    regulated_note  VARCHAR
);
CREATE TABLE taxonomy.skills (
    uri          VARCHAR PRIMARY KEY,
    skill_type   VARCHAR,
    reuse_level  VARCHAR,
    status       VARCHAR,
    modified     VARCHAR
);
CREATE TABLE taxonomy.isco_groups (
    uri    VARCHAR PRIMARY KEY,
    code   VARCHAR NOT NULL,
    level  INTEGER NOT NULL
);
CREATE TABLE taxonomy.skill_groups (
    uri   VARCHAR PRIMARY KEY,
    code  VARCHAR
);
-- Every label of every concept, per language: kind is preferred / alternative / hidden.
CREATE TABLE taxonomy.labels (
    uri           VARCHAR NOT NULL,
    concept_type  VARCHAR NOT NULL,   -- occupation / skill / isco_group / skill_group
    lang          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    source        VARCHAR NOT NULL    -- file the label came from
);
CREATE TABLE taxonomy.descriptions (
    uri    VARCHAR NOT NULL,
    lang   VARCHAR NOT NULL,
    kind   VARCHAR NOT NULL,          -- description / definition / scope_note
    text   VARCHAR NOT NULL
);
CREATE TABLE taxonomy.occupation_skills (
    occupation_uri  VARCHAR NOT NULL,
    skill_uri       VARCHAR NOT NULL,
    relation_type   VARCHAR NOT NULL, -- essential / optional
    PRIMARY KEY (occupation_uri, skill_uri)
);
CREATE TABLE taxonomy.broader (
    uri           VARCHAR NOT NULL,
    broader_uri   VARCHAR NOT NULL,
    concept_type  VARCHAR,
    broader_type  VARCHAR,
    pillar        VARCHAR NOT NULL    -- occupation / skill
);
CREATE TABLE taxonomy.skill_relations (
    skill_uri      VARCHAR NOT NULL,
    related_uri    VARCHAR NOT NULL,
    relation_type  VARCHAR NOT NULL
);
CREATE TABLE taxonomy.collections (
    collection  VARCHAR NOT NULL,     -- language / transversal / digital / green / ...
    uri         VARCHAR NOT NULL,
    PRIMARY KEY (collection, uri)
);
CREATE TABLE taxonomy.crosswalks (
    scheme         VARCHAR NOT NULL,  -- e.g. vdab_competent
    esco_uri       VARCHAR NOT NULL,
    external_id    VARCHAR,
    external_uri   VARCHAR,
    label_nl       VARCHAR,
    label_fr       VARCHAR,
    relation       VARCHAR
);
