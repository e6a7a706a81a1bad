-- A job stopped by a person (POST /v1/jobs/{id}/cancel): the mark every stage reads
-- (docs/job-cancel.md). Persistence reads it under a share lock of the row in the
-- transaction that stores a batch, so a batch is stored whole before the cancel or not at all.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
