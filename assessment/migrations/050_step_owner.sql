-- Who carries out a trajectory step (the coach, VDAB, a training centre, the participant …).
ALTER TABLE assessment.trajectory_events ADD COLUMN owner VARCHAR;
