-- Persons erased on request (POST /v1/erasure, docs/erasure.md): kept out of a tenant's leads by
-- keyed hashes only, never in clear. `hash` is HMAC-SHA256 of the lowercase email (kind email,
-- purpose erased-email) or the E.164 number (kind phone, purpose erased-phone) under a key derived
-- from the installation's key `key_id`; the dnc stage hashes each email and phone of a row under
-- every key the installation holds, so a hash made before a key rotation still matches while the
-- old key is kept. `erasure_id` is the erasure_log row (gateway migration 016) that asked.
CREATE TABLE IF NOT EXISTS erased_subjects (
  tenant_id  text        NOT NULL,
  kind       text        NOT NULL CHECK (kind IN ('email', 'phone')),
  key_id     text        NOT NULL,
  hash       bytea       NOT NULL,
  erased_at  timestamptz NOT NULL DEFAULT now(),
  erasure_id bigint,
  PRIMARY KEY (tenant_id, kind, key_id, hash)
);
