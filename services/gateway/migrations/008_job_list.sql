-- GET /v1/jobs: a tenant's jobs newest first, a page at a time after the last one shown (keyset
-- pagination on created_at, then id between jobs created in the same microsecond). This index
-- serves that order; the one on (tenant_id, created_at DESC) it replaces is its prefix.
CREATE INDEX IF NOT EXISTS jobs_tenant_created_id ON jobs (tenant_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS jobs_tenant_created;
