-- A duplicate that carries what its lead lacks is merged into the lead, field by field; every
-- merge is recorded with each field's value before and after, so that it can be undone.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS alternates jsonb NOT NULL DEFAULT '{"emails": [], "phones": []}';

CREATE TABLE IF NOT EXISTS lead_merges (
  id           bigserial   PRIMARY KEY,
  lead_id      uuid        NOT NULL,
  tenant_id    text        NOT NULL,
  -- The duplicate row merged in.
  job_id       text        NOT NULL,
  row_number   integer     NOT NULL,
  -- {"<field>": {"before": "...", "after": "..."}} for every field the merge changed.
  changes      jsonb       NOT NULL,
  -- {"emails": [...], "phones": [...]}: alternates the merge added.
  alternates   jsonb       NOT NULL,
  merged_at    timestamptz NOT NULL DEFAULT now(),
  reverted_at  timestamptz,
  UNIQUE (job_id, row_number)
);
CREATE INDEX IF NOT EXISTS lead_merges_lead ON lead_merges (lead_id);
