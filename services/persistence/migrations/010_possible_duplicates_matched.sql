-- When a row is filed as a duplicate, the open possible duplicates that named it are made to name
-- its lead (copies.ts): found by the lead they name, without reading every flag the tenant has.
CREATE INDEX IF NOT EXISTS possible_duplicates_matched ON possible_duplicates (tenant_id, matched_lead_id) WHERE status = 'open';
