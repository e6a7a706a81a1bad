-- How a tenant's rows are deduplicated, set over the API: supplier '' holds the tenant's
-- default, a named supplier's row overrides it for that supplier's files. The dedup service
-- reads it (a value left out keeps the service's default).
CREATE TABLE IF NOT EXISTS dedup_policies (
  tenant_id   text        NOT NULL,
  supplier    text        NOT NULL DEFAULT '',
  policy      jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, supplier)
);
