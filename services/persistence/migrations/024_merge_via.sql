-- A merge made because another row was stored: an earlier duplicate re-filed under the lead when
-- the row it named arrived as a duplicate itself (copies.ts, two dedup replicas raced). `via_*`
-- names that arriving row, so that whoever handles its batch (the outbox writer's lead.updated)
-- finds the merges it caused, recorded under the earlier row's own job and row.
ALTER TABLE lead_merges ADD COLUMN IF NOT EXISTS via_job_id text;
ALTER TABLE lead_merges ADD COLUMN IF NOT EXISTS via_row integer;
CREATE INDEX IF NOT EXISTS lead_merges_via ON lead_merges (via_job_id, via_row) WHERE via_job_id IS NOT NULL;
