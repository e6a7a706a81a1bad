-- Duplicates are matched on the canonical email key ("+tags" and Gmail dots removed), and the
-- phone's extension is kept beside its E.164 number.
ALTER TABLE leads ADD COLUMN IF NOT EXISTS email_key text;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS phone_extension text;
UPDATE leads SET email_key = email WHERE email_key IS NULL AND email IS NOT NULL;
CREATE INDEX IF NOT EXISTS leads_tenant_email_key ON leads (tenant_id, email_key) WHERE email_key IS NOT NULL;
