-- Labels added by an administrator (e.g. a Dutch label for a skill that has none in ESCO).
-- Kept apart from taxonomy.labels so that a new ESCO import does not remove them; the view
-- taxonomy.all_labels is what search and display read. Written only by taxonomy.local_labels.
CREATE SEQUENCE taxonomy.local_label_ids START 1;
CREATE TABLE taxonomy.local_labels (
    label_id      INTEGER PRIMARY KEY DEFAULT nextval('taxonomy.local_label_ids'),
    uri           VARCHAR NOT NULL,
    concept_type  VARCHAR NOT NULL,   -- occupation / skill
    lang          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,   -- preferred (shown) / alternative (searched)
    label         VARCHAR NOT NULL,
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL, -- UTC
    note          VARCHAR,
    UNIQUE (uri, lang, label)
);
CREATE VIEW taxonomy.all_labels AS
    SELECT uri, concept_type, lang, kind, label, source FROM taxonomy.labels
    UNION ALL
    SELECT uri, concept_type, lang, kind, label, 'local' AS source FROM taxonomy.local_labels;
