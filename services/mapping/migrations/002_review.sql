-- Review mode: a job uploaded with review waits after mapping until a person confirms it.
--   automatic        mapped without review
--   awaiting_review  mapped, its rows held in parked_batches until a decision arrives
--   confirmed        a person confirmed or changed the mapping
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'automatic';
-- The first rows as the proposed mapping reads them, for the person who reviews it.
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS preview jsonb NOT NULL DEFAULT '[]';

-- Row batches of a job in review, as they came (RowBatch protobuf), released in seq order
-- once its mapping is confirmed.
CREATE TABLE IF NOT EXISTS parked_batches (
  job_id     text        NOT NULL,
  seq        integer     NOT NULL,
  batch      bytea       NOT NULL,
  parked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, seq)
);
