-- Several files, one job (docs/several-files.md). The gateway keeps the files of an upload as
-- they arrive, in upload order: [{ "name", "bytes" }], the name as the `file` column shows it
-- (" (2)" after a name an earlier file of the upload had). Ingest writes the data rows it read
-- of each file, by position (1-based as PostgreSQL arrays are). NULL for jobs before this.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS files jsonb;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS file_rows integer[];
