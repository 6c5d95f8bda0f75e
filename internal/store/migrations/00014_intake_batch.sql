-- +goose Up
-- intake batch keys: a public contact's data key is sealed under the key
-- of the batch it was committed in (key_sealed), and only the batch key is
-- wrapped to the intake team and escrow (key_wraps, object kind
-- intake_batch, object id key_batch). Contacts stored before, and those an
-- officer records, keep their own wraps and an empty key_batch.
ALTER TABLE intake_contacts ADD COLUMN key_batch TEXT NOT NULL DEFAULT '';
ALTER TABLE intake_contacts ADD COLUMN key_sealed {{blob}};

-- +goose Down
ALTER TABLE intake_contacts DROP COLUMN key_sealed;
ALTER TABLE intake_contacts DROP COLUMN key_batch;
