-- Re-screening (docs/rescreen.md): stored leads are screened again against the Do-Not-Call and
-- suppression lists when a list changes and at least every DNC_RESCREEN_INTERVAL_HOURS. A lead
-- found listed is marked suppressed (when, and the reasons with their list, version and snapshot)
-- and is no longer in the deliverable set (exports, download, replays); its row stays, so its id,
-- merges and audit keep their meaning.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS suppressed_at timestamptz;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS suppression jsonb;
-- When the lead was last screened (NULL: when it was stored, created_at).
ALTER TABLE leads ADD COLUMN IF NOT EXISTS screened_at timestamptz;
-- The file's consent date (YYYY-MM-DD), kept so that a re-screening applies the same exemption
-- the dnc stage applied (prior express written consent); '' or NULL when the row gave none.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS consent_date text;
-- A re-screening walks a tenant's leads in (job, row) order, a page at a time.
CREATE INDEX IF NOT EXISTS leads_tenant_job_row ON leads (tenant_id, job_id, row_number);
