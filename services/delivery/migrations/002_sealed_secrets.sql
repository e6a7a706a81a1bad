-- Webhook secrets are kept sealed (AES-256-GCM with a key from LEADFLOW_SECRET_KEYS, bound to the
-- row's id: docs/secrets.md). `secret` now holds only a plain-text secret written before this
-- migration (or by hand): delivery seals it into `secret_sealed` and empties `secret` when it
-- starts, and whenever it reads one. Only createSqlEndpointStore writes secrets.
ALTER TABLE webhook_endpoints ADD COLUMN IF NOT EXISTS secret_sealed text;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_one_secret CHECK (secret IS NULL OR secret_sealed IS NULL);
-- A plain secret written into the sealed column by mistake is refused, not kept.
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_sealed_form CHECK (secret_sealed ~ '^v[0-9]+\.[A-Za-z0-9_-]+\.');
COMMENT ON COLUMN webhook_endpoints.secret IS 'plain text from before sealing; delivery seals it into secret_sealed at start';
