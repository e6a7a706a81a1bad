-- Every Do-Not-Call check, whatever its result: the compliance record of what was screened when.
CREATE TABLE IF NOT EXISTS dnc_audit (
  job_id      text        NOT NULL,
  row_number  integer     NOT NULL,
  tenant_id   text        NOT NULL,
  phone       text        NOT NULL,
  list        text        NOT NULL,
  listed      boolean     NOT NULL,
  checked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, row_number, list)
);
CREATE INDEX IF NOT EXISTS dnc_audit_phone ON dnc_audit (tenant_id, phone);
