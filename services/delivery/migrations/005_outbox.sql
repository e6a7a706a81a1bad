-- The outbox (docs/delivery.md): every request delivery must make is written here, in the
-- transaction that consumes its batch, and sent by a dispatcher outside the consumer loop.
-- One row is one event to one destination: its id is the `webhook-id` of every attempt.
CREATE TABLE IF NOT EXISTS delivery_events (
  -- `msg_` and a value derived from (destination, event type, job, first row): a batch consumed
  -- twice writes the same ids, and ON CONFLICT DO NOTHING keeps the first.
  id               text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  -- The tenant's endpoint; NULL for a job's own webhook URL.
  endpoint_id      uuid,
  url              text        NOT NULL,
  event_type       text        NOT NULL CHECK (event_type IN ('lead.created', 'lead.updated', 'lead.suppressed', 'job.completed')),
  job_id           text,
  -- How many leads the payload carries (1 in record mode, up to batch_size in batch mode, 0 for
  -- job.completed): a job's delivery counts are in leads.
  lead_count       integer     NOT NULL DEFAULT 0,
  -- The request body's data; personal data, deleted with the job's leads (retention, erasure).
  payload          jsonb       NOT NULL,
  status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- A dispatcher's lease on the event while it sends it; an expired lease is taken over.
  locked_by        text,
  locked_until     timestamptz,
  last_http_status integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS delivery_events_due ON delivery_events (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS delivery_events_job ON delivery_events (job_id, status);
CREATE INDEX IF NOT EXISTS delivery_events_endpoint ON delivery_events (endpoint_id, created_at);
CREATE INDEX IF NOT EXISTS delivery_events_tenant ON delivery_events (tenant_id, created_at);

-- Every attempt of every event (GET /v1/deliveries): when, how long, what came back.
CREATE TABLE IF NOT EXISTS delivery_attempts (
  event_id     text        NOT NULL REFERENCES delivery_events (id) ON DELETE CASCADE,
  attempt      integer     NOT NULL,
  tenant_id    text        NOT NULL,
  started_at   timestamptz NOT NULL,
  duration_ms  integer     NOT NULL,
  http_status  integer,
  -- "HTTP 503", "timed out", "connect ECONNREFUSED" ...; never the receiver's body.
  error        text,
  PRIMARY KEY (event_id, attempt)
);
CREATE INDEX IF NOT EXISTS delivery_attempts_tenant ON delivery_attempts (tenant_id, started_at);

-- An endpoint's health: consecutive failures open its circuit (no request but a probe until
-- circuit_open_until); a success closes it.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS consecutive_failures integer NOT NULL DEFAULT 0;
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS circuit_open_until timestamptz;

-- A job's delivery counts in leads, moved with every event's status: pending as events are
-- written, delivered or failed as they end (failed back to pending on a replay).
ALTER TABLE delivery_progress ADD COLUMN IF NOT EXISTS pending integer NOT NULL DEFAULT 0;
