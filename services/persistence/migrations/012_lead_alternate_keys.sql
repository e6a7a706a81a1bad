-- A lead's alternates (leads.alternates: the emails and phones of its row's further columns, and
-- those its duplicates brought in by merges) are looked up by dedup's exact keys like its own email
-- and phone: one row a key ('email:<email key>', 'phone:<E.164>'), found through a B-tree as
-- email_key and phone are. (An array column with a GIN index was tried first: for a batch's
-- thousand keys the planner scanned every lead instead, 0.4-2.6 s a batch at 12,783 leads.)
CREATE TABLE IF NOT EXISTS lead_alternate_keys (
  tenant_id  text NOT NULL,
  key        text NOT NULL,
  lead_id    uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, key, lead_id)
);
CREATE INDEX IF NOT EXISTS lead_alternate_keys_lead ON lead_alternate_keys (lead_id);
-- Alternates merged before this migration: each email taken as its own key (as 002 did for
-- email_key); the key removes "+tags" and Gmail dots, which merged emails rarely differ by.
INSERT INTO lead_alternate_keys (tenant_id, key, lead_id)
SELECT tenant_id, 'email:' || e, id FROM leads, jsonb_array_elements_text(alternates->'emails') AS e
UNION
SELECT tenant_id, 'phone:' || p, id FROM leads, jsonb_array_elements_text(alternates->'phones') AS p
ON CONFLICT DO NOTHING;

-- A job's exports show a lead's alternates as the job filed them (filed.ts). A lead changed before
-- a row's own columns gave alternates was filed with none of its own: all it holds came by merges.
UPDATE leads SET filed = filed || '{"alternates": {"emails": [], "phones": []}}'
 WHERE filed IS NOT NULL AND NOT filed ? 'alternates';
