-- How colleagues reach a staff member (phone, e-mail): shown to a liaison once a candidate is contacted.
ALTER TABLE service.users ADD COLUMN contact VARCHAR;
