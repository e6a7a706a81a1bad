-- Who may call: tenants and their API keys (issue 11). A tenant's id is the name it was made
-- with, and never changes (a later rename changes only name): every tenant_id column of the
-- other tables holds it. The tenant `default` is the one every request acted as before keys
-- existed, so the rows stored until now belong to it.
CREATE TABLE IF NOT EXISTS tenants (
  id          text        PRIMARY KEY,
  name        text        NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenants (id, name) VALUES ('default', 'default') ON CONFLICT DO NOTHING;

-- A key is kept only as the SHA-256 of its whole text; `prefix` (lfk_ and 8 characters, the
-- start of the key) is shown and finds the row. A rotated key names the key it replaces.
CREATE TABLE IF NOT EXISTS api_keys (
  prefix        text        PRIMARY KEY,
  tenant_id     text        NOT NULL REFERENCES tenants (id),
  role          text        NOT NULL CHECK (role IN ('admin', 'uploader', 'viewer')),
  name          text        NOT NULL DEFAULT '',
  hash          bytea       NOT NULL CHECK (octet_length(hash) = 32),
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  rotated_from  text        REFERENCES api_keys (prefix)
);
CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id, created_at);
