-- Exclusivity and the quality score's components (docs/enrichment.md), stored and exported like
-- the lead's other fields; the score itself is leads.quality_score (001).
ALTER TABLE leads ADD COLUMN IF NOT EXISTS exclusivity text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS exclusivity_detail text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS quality text;
