-- Every TIMESTAMP column holds UTC: defaults name UTC explicitly (see matching/migrations/050).
ALTER TABLE taxonomy.label_vectors ALTER COLUMN created_at SET DEFAULT timezone('UTC', current_timestamp);
