-- The rows ingest has read, and their number once it read the file to its end (NULL before).
-- Written in `leadflow serve`, whose process reads the upload as it arrives, so that a job's
-- percent done is known long before its last rows are stored. In Kafka mode the ingest service
-- keeps no state: the mapping service counts what reaches it (job_mappings.rows_mapped).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS rows_read integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS rows_total integer;
