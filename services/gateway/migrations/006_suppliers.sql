-- Suppliers: who sells a tenant its lead lists, at what price per lead (docs/suppliers.md).
-- A name is unique in its tenant whatever its case: name_key is the name folded by the gateway
-- (supplier-name.ts: NFKC, spaces collapsed, lowercase), in JavaScript rather than with SQL's
-- lower(), whose result on letters beyond ASCII depends on the server's locale.
-- A price is exact: numeric, in an ISO 4217 currency the gateway checked; neither, or both.
CREATE TABLE IF NOT EXISTS suppliers (
  id             text          PRIMARY KEY,
  tenant_id      text          NOT NULL,
  name           text          NOT NULL,
  name_key       text          NOT NULL,
  cost_per_lead  numeric(18,6) CHECK (cost_per_lead >= 0),
  cost_currency  text          CHECK (cost_currency ~ '^[A-Z]{3}$'),
  phone_region   text          CHECK (phone_region ~ '^[A-Z]{2}$'),
  active         boolean       NOT NULL DEFAULT true,
  created_at     timestamptz   NOT NULL DEFAULT now(),
  updated_at     timestamptz   NOT NULL DEFAULT now(),
  CHECK ((cost_per_lead IS NULL) = (cost_currency IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS suppliers_tenant_name ON suppliers (tenant_id, name_key);

-- A job's supplier and the price it had when the job was uploaded: a later change of the
-- supplier's price does not rewrite what earlier jobs cost.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS supplier_id text REFERENCES suppliers (id);
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cost_per_lead numeric(18,6);
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cost_currency text;
CREATE INDEX IF NOT EXISTS jobs_supplier ON jobs (supplier_id) WHERE supplier_id IS NOT NULL;

-- The suppliers jobs named before this table existed, without a price, their jobs linked to
-- them. Only names of printable ASCII: for those, SQL's folding below is the gateway's exactly;
-- jobs that named another keep their supplier's name and stay out of its totals.
INSERT INTO suppliers (id, tenant_id, name, name_key)
SELECT gen_random_uuid()::text, tenant_id, min(name), key
  FROM (SELECT tenant_id, regexp_replace(btrim(supplier), ' +', ' ', 'g') AS name,
               lower(regexp_replace(btrim(supplier), ' +', ' ', 'g')) AS key
          FROM jobs
         WHERE supplier ~ '^[ -~]*[!-~][ -~]*$') named
 GROUP BY tenant_id, key
    ON CONFLICT (tenant_id, name_key) DO NOTHING;
UPDATE jobs j SET supplier_id = s.id
  FROM suppliers s
 WHERE j.supplier_id IS NULL
   AND s.tenant_id = j.tenant_id
   AND s.name_key = lower(regexp_replace(btrim(j.supplier), ' +', ' ', 'g'))
   AND j.supplier ~ '^[ -~]*[!-~][ -~]*$';
