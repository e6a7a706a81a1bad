-- Rows dedup kept as leads but flagged as possible duplicates of another lead, for a person to
-- decide: 'open' until then; 'duplicate' (the row left the leads for duplicate_leads and was
-- merged into the lead it copies) or 'distinct' (two people).
CREATE TABLE IF NOT EXISTS possible_duplicates (
  lead_id          uuid        PRIMARY KEY,
  tenant_id        text        NOT NULL,
  job_id           text        NOT NULL,
  row_number       integer     NOT NULL,
  matched_lead_id  uuid        NOT NULL,
  score            real        NOT NULL,
  -- The dedup stage's explanation: the lead, the score and the fields that decided.
  detail           text        NOT NULL,
  status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'duplicate', 'distinct')),
  found_at         timestamptz NOT NULL DEFAULT now(),
  decided_at       timestamptz
);
CREATE INDEX IF NOT EXISTS possible_duplicates_review ON possible_duplicates (tenant_id, status, found_at, lead_id);
