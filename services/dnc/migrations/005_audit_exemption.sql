-- The exemption that lifted a listing (docs/dnc-lists.md, "Exemptions"): its kind, date and id,
-- or the file's consent columns; null when none did.
ALTER TABLE dnc_audit ADD COLUMN IF NOT EXISTS exemption text;
