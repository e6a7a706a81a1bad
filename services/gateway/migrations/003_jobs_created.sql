-- The jobs of the last days across tenants, for the count of stalled jobs (leadflow_gateway_jobs_stalled).
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
