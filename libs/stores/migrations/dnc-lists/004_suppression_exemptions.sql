-- Suppression lists (docs/dnc-lists.md, "Suppression lists"): a tenant's lists of emails, email
-- domains and phones keep their entries as rows of dnc_list_numbers (`phone` holds the entry:
-- E.164, a lowercase address or a lowercase domain), each with an optional expiry, after which it
-- no longer suppresses.
ALTER TABLE dnc_list_numbers ADD COLUMN IF NOT EXISTS expires_at timestamptz;

-- Exemptions with their evidence (docs/dnc-lists.md, "Exemptions"): an existing business
-- relationship or a consent a tenant recorded for a phone or an email. Exempt from national and
-- state lists within their windows; revoking (DELETE) keeps the record, which the audit names.
CREATE TABLE IF NOT EXISTS dnc_exemptions (
  exemption_id  bigserial   PRIMARY KEY,
  tenant_id     text        NOT NULL,
  phone         text,
  email         text,
  -- ebr_purchase (18 months), ebr_inquiry (3 months), consent (until revoked)
  kind          text        NOT NULL CHECK (kind IN ('ebr_purchase', 'ebr_inquiry', 'consent')),
  since         date        NOT NULL,
  evidence_url  text,
  evidence_text text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  CHECK ((phone IS NULL) <> (email IS NULL))
);
CREATE INDEX IF NOT EXISTS dnc_exemptions_by_phone ON dnc_exemptions (tenant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX IF NOT EXISTS dnc_exemptions_by_email ON dnc_exemptions (tenant_id, email) WHERE email IS NOT NULL;
