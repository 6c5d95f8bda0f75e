-- +goose Up
-- stage_days: on a transition event, the whole days the case spent in the
-- state it left (green, for the statistics of time in each stage). Events
-- of other kinds, and transitions stored before, have none.
ALTER TABLE case_events ADD COLUMN stage_days INTEGER;
CREATE INDEX case_events_stage ON case_events (kind, from_state, stage_days);

-- +goose Down
DROP INDEX case_events_stage;
ALTER TABLE case_events DROP COLUMN stage_days;
