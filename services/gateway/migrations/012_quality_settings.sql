-- A tenant's lead quality settings, set over the API (PUT /v1/settings/quality): the weights of
-- the quality score's components, the LOW_QUALITY threshold and whether it rejects, the
-- exclusivity window and the calling window (docs/enrichment.md). Only the keys the tenant set
-- are stored; the dedup and enrichment stages read the row and take the defaults for the rest.
CREATE TABLE IF NOT EXISTS quality_settings (
  tenant_id   text        PRIMARY KEY,
  settings    jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
