-- Every row of every job ends in exactly one of four tables, keyed by (job_id, row_number),
-- so that storing a redelivered batch again changes nothing.
CREATE TABLE IF NOT EXISTS leads (
  id             uuid        PRIMARY KEY,
  tenant_id      text        NOT NULL,
  job_id         text        NOT NULL,
  row_number     integer     NOT NULL,
  supplier       text        NOT NULL DEFAULT '',
  first_name     text,
  last_name      text,
  full_name      text,
  email          text,
  email_type     text,
  phone          text,
  phone_type     text,
  company        text,
  domain         text,
  job_title      text,
  street         text,
  address_line2  text,
  city           text,
  state          text,
  postal_code    text,
  country        text,
  industry       text,
  source         text,
  extra          jsonb       NOT NULL DEFAULT '{}',
  tags           text[]      NOT NULL DEFAULT '{}',
  quality_score  real        NOT NULL DEFAULT 0,
  reasons        jsonb       NOT NULL DEFAULT '[]',
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (job_id, row_number)
);
CREATE INDEX IF NOT EXISTS leads_tenant_email ON leads (tenant_id, email) WHERE email IS NOT NULL;
CREATE INDEX IF NOT EXISTS leads_tenant_phone ON leads (tenant_id, phone) WHERE phone IS NOT NULL;

CREATE TABLE IF NOT EXISTS duplicate_leads (
  job_id           text        NOT NULL,
  row_number       integer     NOT NULL,
  tenant_id        text        NOT NULL,
  matched_job_id   text        NOT NULL,
  matched_row      integer,
  matched_lead_id  uuid,
  match_type       text        NOT NULL,
  score            real        NOT NULL,
  lead             jsonb       NOT NULL,
  reasons          jsonb       NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, row_number)
);

CREATE TABLE IF NOT EXISTS rejected_rows (
  job_id      text        NOT NULL,
  row_number  integer     NOT NULL,
  tenant_id   text        NOT NULL,
  -- The row as the supplier sent it, by header, so that it can be fixed and sent again.
  raw         jsonb       NOT NULL,
  reasons     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, row_number)
);

CREATE TABLE IF NOT EXISTS suppressed_leads (
  job_id      text        NOT NULL,
  row_number  integer     NOT NULL,
  tenant_id   text        NOT NULL,
  lead        jsonb       NOT NULL,
  reasons     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, row_number)
);

-- Counted progress: a job is complete when stored = total_rows (ingest's count).
CREATE TABLE IF NOT EXISTS job_progress (
  job_id           text        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  total_rows       integer,
  stored           integer     NOT NULL DEFAULT 0,
  accepted         integer     NOT NULL DEFAULT 0,
  invalid          integer     NOT NULL DEFAULT 0,
  duplicate        integer     NOT NULL DEFAULT 0,
  suppressed       integer     NOT NULL DEFAULT 0,
  failure_code     text,
  failure_message  text,
  completed_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
