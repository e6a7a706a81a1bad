-- Raw cells are kept only as long as needed (docs/data-retention.md): the cells of rejected rows
-- (as the supplier sent them) and the supplier's own values of stored leads (`original`) are
-- emptied once older than RAW_RETENTION_HOURS (48 by default) by a scheduled cleanup. The row,
-- its reasons and the cleaned lead stay; raw_removed_at says when the cells went.
ALTER TABLE rejected_rows ADD COLUMN IF NOT EXISTS raw_removed_at timestamptz;
CREATE INDEX IF NOT EXISTS rejected_rows_raw_kept ON rejected_rows (created_at) WHERE raw_removed_at IS NULL;
ALTER TABLE leads ADD COLUMN IF NOT EXISTS original_removed_at timestamptz;
CREATE INDEX IF NOT EXISTS leads_original_kept ON leads (created_at) WHERE original_removed_at IS NULL AND original <> '{}'::jsonb;

-- Each cleanup: when it ran, the retention it applied, when the next is due, or why it failed.
CREATE TABLE IF NOT EXISTS storage_cleanups (
  id               bigserial   PRIMARY KEY,
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  retention_hours  integer     NOT NULL,
  next_at          timestamptz,
  error            text
);
-- What a cleanup removed, per tenant and place ("rejected_rows.raw", "leads.original"): rows emptied.
CREATE TABLE IF NOT EXISTS storage_cleanup_counts (
  cleanup_id  bigint  NOT NULL REFERENCES storage_cleanups (id) ON DELETE CASCADE,
  tenant_id   text    NOT NULL,
  place       text    NOT NULL,
  rows        integer NOT NULL,
  PRIMARY KEY (cleanup_id, tenant_id, place)
);
