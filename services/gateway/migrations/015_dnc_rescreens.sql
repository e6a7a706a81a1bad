-- Re-screenings of stored leads (docs/rescreen.md): asked for by a tenant (POST /v1/dnc/rescreen),
-- by a list change (a load, a change list, numbers added: its owner's leads, or every tenant's
-- for a shared list) and by the schedule (leads not screened for DNC_RESCREEN_INTERVAL_HOURS).
-- The dnc service (Kafka mode) or `leadflow serve` claims one at a time and works through it a
-- page of leads at a time, keeping its place (cursor) so that another process goes on after a crash.
CREATE TABLE IF NOT EXISTS dnc_rescreens (
  id              bigserial   PRIMARY KEY,
  -- The tenant whose leads are screened; NULL: every tenant's (a shared list changed, the schedule).
  tenant_id       text,
  -- Why: 'request', 'list-change' or 'schedule'.
  trigger         text        NOT NULL CHECK (trigger IN ('request', 'list-change', 'schedule')),
  -- The list whose change asked for it, or the list asked for; '' for every list. Every list that
  -- applies is screened in any case: this says why, not what.
  list            text        NOT NULL DEFAULT '',
  -- Only this job's leads; NULL for all.
  job_id          text,
  -- Only leads last screened before this time (the schedule); NULL for all.
  due_before      timestamptz,
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  screened        integer     NOT NULL DEFAULT 0,
  suppressed      integer     NOT NULL DEFAULT 0,
  -- The last tenant, job and row done.
  cursor_tenant   text,
  cursor_job      text,
  cursor_row      integer,
  claimed_by      text,
  claimed_at      timestamptz,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz
);
CREATE INDEX IF NOT EXISTS dnc_rescreens_open ON dnc_rescreens (id) WHERE status IN ('pending', 'running');
CREATE INDEX IF NOT EXISTS dnc_rescreens_tenant ON dnc_rescreens (tenant_id, id);
