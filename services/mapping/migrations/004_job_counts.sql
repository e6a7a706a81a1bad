-- What mapping did with a job's rows, for its status (the gateway's job view): rows mapped and
-- of them invalid, counted once per batch (counted_seq: the last batch counted; a redelivered
-- batch, whose seq is not above it, adds nothing), and the total ingest counted, carried by
-- the job's last batch. In Kafka mode mapping sees that batch long before persistence does.
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS rows_mapped integer NOT NULL DEFAULT 0;
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS rows_invalid integer NOT NULL DEFAULT 0;
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS counted_seq integer NOT NULL DEFAULT -1;
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS total_rows integer;
