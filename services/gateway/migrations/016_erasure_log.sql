-- Erasure requests (POST /v1/erasure, docs/erasure.md): what was removed for whom, without whom.
-- The person is kept only as keyed hashes (HMAC-SHA256 under a key derived from the
-- installation's keys, purpose erasure-subject; hash_key names the key): with the key, a later
-- request or an auditor can tell that this email or phone was erased, and when; without it the
-- hash says nothing. No hash when the installation has no keys. Append-only.
CREATE TABLE IF NOT EXISTS erasure_log (
  id          bigserial   PRIMARY KEY,
  tenant_id   text        NOT NULL,
  -- the API key that asked (its prefix, as GET /v1/keys lists it)
  key_prefix  text        NOT NULL,
  erased_at   timestamptz NOT NULL DEFAULT now(),
  email_hash  bytea,
  phone_hash  bytea,
  hash_key    text,
  -- records removed, by kind: {"leads": 2, "duplicates": 1, ...}
  counts      jsonb       NOT NULL,
  -- the suppression lists the person was added to
  suppressed  text[]      NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS erasure_log_tenant ON erasure_log (tenant_id, erased_at);
