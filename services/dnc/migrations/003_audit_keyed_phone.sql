-- The audit keeps a keyed hash of each number, never the number (docs/dnc-lists.md, "The audit"),
-- and names the list, its version and snapshot date. Rows written before keep their number in
-- `phone` until the dnc service (or `leadflow run`/`serve`) hashes them at its next start: SQL
-- alone does not hold the installation's key.
ALTER TABLE dnc_audit DROP CONSTRAINT IF EXISTS dnc_audit_pkey;
ALTER TABLE dnc_audit ALTER COLUMN phone DROP NOT NULL;
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS phone_hash bytea;
-- the id of the installation key the hash was made with (LEADFLOW_SECRET_KEYS, or the data folder's key file)
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS phone_key text;
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS list_id bigint;
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS list_version bigint;
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS snapshot_date date;
ALTER TABLE dnc_audit ADD CONSTRAINT dnc_audit_phone_or_hash CHECK ((phone IS NULL) <> (phone_hash IS NULL));
DROP INDEX IF EXISTS dnc_audit_phone;
-- A check recorded again (a redelivered batch) is kept once.
CREATE UNIQUE INDEX IF NOT EXISTS dnc_audit_check ON dnc_audit (job_id, row_number, list, phone_hash);
CREATE INDEX IF NOT EXISTS dnc_audit_by_phone ON dnc_audit (tenant_id, phone_hash);
CREATE INDEX IF NOT EXISTS dnc_audit_by_time ON dnc_audit (checked_at);
CREATE INDEX IF NOT EXISTS dnc_audit_unhashed ON dnc_audit (job_id) WHERE phone IS NOT NULL;
