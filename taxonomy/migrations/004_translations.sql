-- Dutch → English word table learned from ESCO's parallel labels and descriptions
-- (IBM model 1, matching.vacancies.translation); rebuilt whole by `werkbrug taxonomy index --skills`.
CREATE TABLE taxonomy.translations (
    source  VARCHAR NOT NULL,
    target  VARCHAR NOT NULL,
    prob    DOUBLE NOT NULL,
    PRIMARY KEY (source, target)
);
