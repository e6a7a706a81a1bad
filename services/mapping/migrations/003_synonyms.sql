-- Header synonyms a tenant adds to the built-in ones (PUT /v1/mapping/synonyms): one row per
-- tenant, {"<lead field>": ["<header>", ...]}. `version` goes up by one at every change: each
-- mapping replica polls it (MAPPING_SYNONYMS_RELOAD_MS) and reads the synonyms again only when
-- it moved.
CREATE TABLE IF NOT EXISTS mapping_synonyms (
  tenant_id   text        PRIMARY KEY,
  synonyms    jsonb       NOT NULL,
  version     bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Snapshots of a tenant's synonyms (POST /v1/mapping/synonyms/backups), the newest 50 kept;
-- `seq` orders those taken in the same instant.
CREATE TABLE IF NOT EXISTS mapping_synonym_backups (
  id          uuid        PRIMARY KEY,
  seq         bigint      GENERATED ALWAYS AS IDENTITY,
  tenant_id   text        NOT NULL,
  synonyms    jsonb       NOT NULL,
  version     bigint      NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mapping_synonym_backups_tenant ON mapping_synonym_backups (tenant_id, seq DESC);
