-- Two dedup replicas can race: one finds row A a copy of lead X while the other, at the same
-- moment, finds row B a copy of row A before A is marked a duplicate. Persistence then files B
-- under X, whichever of A and B it stores first (lead-store.ts): it needs the id each duplicate
-- would have had as a lead, and to find the duplicates that name a given lead id; and, to merge a
-- duplicate filed that way later, its canonical email key (as leads.email_key).
ALTER TABLE duplicate_leads ADD COLUMN IF NOT EXISTS lead_id uuid;
ALTER TABLE duplicate_leads ADD COLUMN IF NOT EXISTS email_key text;
CREATE INDEX IF NOT EXISTS duplicate_leads_lead_id ON duplicate_leads (tenant_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS duplicate_leads_matched_lead ON duplicate_leads (tenant_id, matched_lead_id) WHERE matched_lead_id IS NOT NULL;
