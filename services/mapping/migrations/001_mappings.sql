-- The mapping each job was read with, decided on its first rows, so every later batch (and a
-- redelivered one) is mapped the same way.
CREATE TABLE IF NOT EXISTS job_mappings (
  job_id      text        PRIMARY KEY,
  tenant_id   text        NOT NULL,
  supplier    text        NOT NULL DEFAULT '',
  columns     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Mappings a person confirmed for a supplier's headers; they win the next time.
CREATE TABLE IF NOT EXISTS supplier_mappings (
  tenant_id     text        NOT NULL,
  supplier      text        NOT NULL,
  header        text        NOT NULL,
  field         text        NOT NULL,
  confirmed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, supplier, header)
);
