-- Every TIMESTAMP column holds UTC. A bare current_timestamp default is stored in the session's
-- time zone (local wall time on a machine outside UTC), so the defaults name UTC explicitly.
ALTER TABLE matching.candidate_status ALTER COLUMN changed_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE matching.language_requirements ALTER COLUMN updated_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE matching.neighbour_builds ALTER COLUMN built_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE matching.request_log ALTER COLUMN requested_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE matching.shortlists ALTER COLUMN created_at SET DEFAULT timezone('UTC', current_timestamp);
ALTER TABLE matching.vacancies ALTER COLUMN created_at SET DEFAULT timezone('UTC', current_timestamp);
