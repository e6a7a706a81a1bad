-- Jobs as the gateway accepted them. Progress is counted by persistence (job_progress) and
-- delivery (deliveries); the gateway reads those to answer.
CREATE TABLE IF NOT EXISTS jobs (
  id               text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  supplier         text        NOT NULL DEFAULT '',
  file_name        text        NOT NULL DEFAULT '',
  webhook_url      text,
  bytes            bigint      NOT NULL DEFAULT 0,
  -- Set when the upload itself failed (too large, interrupted); the pipeline never saw the file.
  failure_code     text,
  failure_message  text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS jobs_tenant_created ON jobs (tenant_id, created_at DESC);
