-- Tamper evidence for the append-only audit log: each entry stores the hash of the previous
-- entry and its own hash over (previous hash, time, who, role, what, object, purpose, detail).
ALTER TABLE service.audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE service.audit_log ADD COLUMN entry_hash VARCHAR;
