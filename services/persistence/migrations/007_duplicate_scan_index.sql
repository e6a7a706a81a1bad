-- The dedup service rebuilds its blocking index from the stored leads and then from the rows it
-- found fuzzy or composite-key duplicates (a later copy may resemble one of them best), a page
-- at a time in the order they were stored.
CREATE INDEX IF NOT EXISTS duplicate_leads_tenant_created ON duplicate_leads (tenant_id, created_at, job_id, row_number);
