-- Re-screening (docs/rescreen.md) checks a stored lead's numbers again: each check is a row of its
-- own, beside the first screening's, named by the re-screening that made it ('' for the dnc stage's).
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS rescreen text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS dnc_audit_check_rescreen ON dnc_audit (job_id, row_number, list, phone_hash, rescreen);
DROP INDEX IF EXISTS dnc_audit_check;
