-- Event numbers come from a sequence, never from max(seq) + 1 (two writers at once would
-- take the same number). Numbers stay unique per participant/step and grow with time; the
-- sequence starts far above the per-participant counters written before it existed.
CREATE SEQUENCE assessment.event_seq START 1000000;
