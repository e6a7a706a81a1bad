-- Several files, one job, in review (docs/several-files.md, "Review"): each file's mapping waits
-- for a person on its own. A further file's mapping gets the review state and preview the first
-- file's has in job_mappings.
ALTER TABLE job_file_mappings ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'automatic';
ALTER TABLE job_file_mappings ADD COLUMN IF NOT EXISTS preview jsonb NOT NULL DEFAULT '[]';
-- job_mappings.status stays the job's: awaiting_review until every file is decided and its rows
-- go on. file_status is the first file's own where that differs (its mapping confirmed while a
-- further file still waits; 'automatic' when it had no rows to review); NULL: as status.
ALTER TABLE job_mappings ADD COLUMN IF NOT EXISTS file_status text;
