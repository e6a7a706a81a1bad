-- Rows held by the dnc stage while a national or state list is older than DNC_MAX_LIST_AGE_DAYS
-- (docs/dnc-lists.md, "Freshness"): neither lost nor accepted, screened again and passed on once
-- a fresh snapshot is imported. `lists` names the stale lists, as the job shows them.
CREATE TABLE IF NOT EXISTS dnc_held_rows (
  job_id     text        NOT NULL,
  row_number integer     NOT NULL,
  tenant_id  text        NOT NULL,
  -- the JobRef and the LeadRow, protobuf-encoded, as the stage had them
  job        bytea       NOT NULL,
  lead_row   bytea       NOT NULL,
  lists      text        NOT NULL,
  held_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- a releaser that took the row and has not yet passed it on (released again after 5 minutes)
  claimed_by text,
  claimed_at timestamptz,
  PRIMARY KEY (job_id, row_number)
);
CREATE INDEX IF NOT EXISTS dnc_held_rows_by_time ON dnc_held_rows (held_at);

-- What the exemption of a check was, when one applied (exemptions: issue 13, built beside this).
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS exemption text;
-- What was decided for the row by this check: listed, clear, held (a stale list), stale (suppressed
-- by a stale list), wireless_state. Rows written before say only `listed`.
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS result text;
