-- The values as the supplier wrote them, by field, where cleaning changed them or found them invalid.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS original jsonb NOT NULL DEFAULT '{}';
