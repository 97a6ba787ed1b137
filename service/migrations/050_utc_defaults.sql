-- Every TIMESTAMP column holds UTC: defaults name UTC explicitly (see matching/migrations/050).
ALTER TABLE service.audit_log ALTER COLUMN occurred_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE service.tokens ALTER COLUMN created_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE service.users ALTER COLUMN created_at SET DEFAULT timezone('UTC', current_timestamp);
