-- The dedup service rebuilds its blocking index from the stored leads, a page at a time in the
-- order they were stored.
CREATE INDEX IF NOT EXISTS leads_tenant_created ON leads (tenant_id, created_at, id);
