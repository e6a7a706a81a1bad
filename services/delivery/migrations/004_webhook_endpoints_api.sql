-- Endpoints a tenant manages over the API (POST/GET/PATCH/DELETE /v1/webhooks): how each is
-- sent to, which events it takes, its rate, its headers, and its signing secrets (docs/delivery.md).
-- `active` is the API's `enabled`. A deleted endpoint keeps its row (its events and attempts
-- still name it) with deleted_at set, and is neither listed nor sent to.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS mode text NOT NULL DEFAULT 'batch' CHECK (mode IN ('record', 'batch'));
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS batch_size integer NOT NULL DEFAULT 500 CHECK (batch_size BETWEEN 1 AND 1000);
-- Requests a second to this endpoint, over every delivery replica; NULL or 0: unlimited.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS per_second integer CHECK (per_second IS NULL OR per_second >= 0);
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS events text[] NOT NULL
  DEFAULT ARRAY['lead.created', 'lead.updated', 'lead.suppressed', 'job.completed'];
-- Extra request headers, {"name": "value"}; never the webhook-* or content-type headers.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS headers jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS description text NOT NULL DEFAULT '';
-- After a rotation the old secret signs too until it expires (a day), so that a receiver can
-- change its secret at its own pace: every request then carries both signatures.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS previous_secret_sealed text
  CHECK (previous_secret_sealed IS NULL OR previous_secret_sealed ~ '^v[0-9]+\.[A-Za-z0-9_-]+\.');
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS previous_secret_expires_at timestamptz;
-- Why delivery turned the endpoint off (a 410 Gone answer), shown with it; cleared when enabled again.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS disabled_reason text;
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS deleted_at timestamptz;
COMMENT ON COLUMN webhook_endpoints.active IS 'the API''s enabled';

-- A tenant's default signing secret: it signs what goes to a job's own `webhook` URL (an
-- upload's field), which has no endpoint of its own. Sealed as endpoint secrets are, for the
-- context webhook_default_secrets.secret_sealed/<tenant>.
CREATE TABLE IF NOT EXISTS webhook_default_secrets (
  tenant_id      text        PRIMARY KEY,
  secret_sealed  text        NOT NULL CHECK (secret_sealed ~ '^v[0-9]+\.[A-Za-z0-9_-]+\.'),
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- A job's delivery rate, set while it runs (PUT /v1/jobs/{id}/rate): requests a second to each
-- of the job's endpoints, over every delivery replica; 0 is unlimited. No row: the endpoint's own.
CREATE TABLE IF NOT EXISTS delivery_job_rates (
  job_id      text        PRIMARY KEY,
  tenant_id   text        NOT NULL,
  per_second  integer     NOT NULL CHECK (per_second >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
