-- Several files, one job (docs/several-files.md): every stored row names the file it came from,
-- as the `file` column of the outputs shows it (its name as uploaded, " (2)" after a name an
-- earlier file of the upload had). row_number stays the job's row number, unique in the job:
-- file index * 2^26 + the row's number within its file, so the row within its file is
-- row_number % 67108864. NULL for rows filed before, and for a single lead.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS file text;
ALTER TABLE duplicate_leads ADD COLUMN IF NOT EXISTS file text;
ALTER TABLE rejected_rows ADD COLUMN IF NOT EXISTS file text;
ALTER TABLE suppressed_leads ADD COLUMN IF NOT EXISTS file text;
