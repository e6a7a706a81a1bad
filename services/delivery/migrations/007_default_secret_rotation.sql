-- A tenant's default secret rotates as an endpoint's does (POST /v1/settings/webhook-secret/rotate):
-- the secret before signs too until previous_secret_expires_at (a day), so that a receiver of a
-- job's own webhook URL can change its secret at its own pace. Sealed for the same context as
-- secret_sealed (webhook_default_secrets.secret_sealed/<tenant>): it moves over unopened.
ALTER TABLE webhook_default_secrets ADD COLUMN IF NOT EXISTS previous_secret_sealed text
  CHECK (previous_secret_sealed IS NULL OR previous_secret_sealed ~ '^v[0-9]+\.[A-Za-z0-9_-]+\.');
ALTER TABLE webhook_default_secrets ADD COLUMN IF NOT EXISTS previous_secret_expires_at timestamptz;
