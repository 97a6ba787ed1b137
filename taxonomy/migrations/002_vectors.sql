-- Cached sentence vectors of label texts, per encoder model and version.
-- Keyed by the text itself, so a label shared by several concepts is embedded once and a
-- changed label (a new text) is embedded on the next run. Written only by taxonomy.index.
CREATE TABLE taxonomy.label_vectors (
    model          VARCHAR NOT NULL,
    model_version  VARCHAR NOT NULL,
    text           VARCHAR NOT NULL,
    vector         FLOAT[] NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (model, model_version, text)
);
