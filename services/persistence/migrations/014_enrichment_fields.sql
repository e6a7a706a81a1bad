-- The fields enrichment derives (docs/enrichment.md), stored and exported like the lead's other
-- fields: text, NULL when enrichment had no answer (as for every other field).
ALTER TABLE leads ADD COLUMN IF NOT EXISTS email_suggestion text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS seniority text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS department text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS timezone text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS callable_now text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS industry_confidence text;
