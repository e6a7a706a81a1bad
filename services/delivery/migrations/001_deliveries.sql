-- Webhook endpoints of a tenant; a job may name its own URL instead.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id          uuid        PRIMARY KEY,
  tenant_id   text        NOT NULL,
  url         text        NOT NULL,
  -- HMAC-SHA256 key for the Leadflow-Signature header; null sends unsigned.
  secret      text,
  active      boolean     NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_tenant ON webhook_endpoints (tenant_id) WHERE active;

-- One row per lead and endpoint: what was delivered, after how many attempts, or why not.
CREATE TABLE IF NOT EXISTS deliveries (
  job_id        text        NOT NULL,
  row_number    integer     NOT NULL,
  endpoint_url  text        NOT NULL,
  lead_id       uuid        NOT NULL,
  status        text        NOT NULL CHECK (status IN ('delivered', 'failed')),
  attempts      integer     NOT NULL,
  http_status   integer,
  error         text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, row_number, endpoint_url)
);
