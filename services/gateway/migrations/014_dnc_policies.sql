-- A tenant's Do-Not-Call policy (docs/dnc-lists.md, "Freshness"; PUT /v1/dnc/policy): what a stale
-- national or state list does to its rows with phones. No row: the installation's
-- DNC_STALE_LIST_POLICY. Read by the dnc stage (Kafka mode: the dnc service, same database).
CREATE TABLE IF NOT EXISTS dnc_policies (
  tenant_id  text        PRIMARY KEY,
  stale_list text        NOT NULL CHECK (stale_list IN ('hold', 'suppress')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
