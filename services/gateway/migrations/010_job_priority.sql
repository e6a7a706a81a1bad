-- Job priority and the per-tenant limit of running jobs (docs/job-priority.md).
-- priority: the topic variant every stage takes the job's batches from; high overtakes.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS priority text NOT NULL DEFAULT 'normal';
-- held_at: the job waits for a running place of its tenant (status queued), its bytes parked in
-- job_parked_chunks; NULL once it started (or for a job that never waited).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS held_at timestamptz;
-- started_at: the job holds one of its tenant's running places from then until it ends.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS started_at timestamptz;
CREATE INDEX IF NOT EXISTS jobs_tenant_held ON jobs (tenant_id, held_at) WHERE held_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_tenant_started ON jobs (tenant_id) WHERE started_at IS NOT NULL;

-- The bytes of a job that waits, in arrival order, replayed into the pipeline when it starts.
CREATE TABLE IF NOT EXISTS job_parked_chunks (
  job_id text NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (job_id, seq)
);

-- A tenant's settings for jobs: at most max_running_jobs run at once (NULL: the gateway's default).
CREATE TABLE IF NOT EXISTS job_limits (
  tenant_id text PRIMARY KEY,
  max_running_jobs integer NOT NULL CHECK (max_running_jobs >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
