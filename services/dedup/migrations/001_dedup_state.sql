-- Dedup's state where no Redis is (standalone mode: the embedded database, or DATABASE_URL):
-- the blocking index and the exact-key claims, in tables, so that they grow on disk and not in
-- the process's memory, and outlive the process (no rebuild at every start).
--
-- UNLOGGED, as Redis is "fast shared state that can be rebuilt": no write-ahead log for these
-- writes (a quarter of their cost, and most of the log a run would write), and after a crash
-- PostgreSQL empties them, so nothing of rows that were never stored survives it: the index is
-- rebuilt from the stored leads, the truth, on its next use.

-- A tenant of the index: its number in the tables below, the last place given (every entry has
-- a place in one order per tenant), whether it holds the tenant's stored leads, and who rebuilds it.
CREATE UNLOGGED TABLE IF NOT EXISTS dedup_index_tenants (
  id                serial      PRIMARY KEY,
  tenant_id         text        NOT NULL UNIQUE,
  last_place        bigint      NOT NULL DEFAULT 0,
  built             boolean     NOT NULL DEFAULT false,
  rebuilding_until  timestamptz
);

-- An entry a place: what the matcher compares (index-entry-codec.ts: one JSON array), the row it
-- stands for (so that a row entering again keeps its place), and the blocks it joined (11 base-36
-- digits each), so that the entry of a row never stored can leave them again.
CREATE UNLOGGED TABLE IF NOT EXISTS dedup_index_entries (
  tenant      integer NOT NULL,
  place       bigint  NOT NULL,
  job_id      text    NOT NULL,
  row_number  integer NOT NULL,
  entry       text    NOT NULL,
  blocks      text    NOT NULL,
  PRIMARY KEY (tenant, place),
  UNIQUE (tenant, job_id, row_number)
) WITH (fillfactor = 90);

-- A block: a blocking key's 53-bit hash and the newest 50 places in it, oldest first, each
-- 8 base-36 digits. Rewritten whenever a row joins it: the room left free in each page lets the
-- new version stay on its page (a HOT update), whose dead versions later reads prune without
-- a VACUUM (PGlite runs no autovacuum).
CREATE UNLOGGED TABLE IF NOT EXISTS dedup_index_blocks (
  tenant  integer NOT NULL,
  block   bigint  NOT NULL,
  places  text    NOT NULL,
  PRIMARY KEY (tenant, block)
) WITH (fillfactor = 70);

-- Exact-key claims: which row (jobId:rowNumber) first claimed each hashed email or phone key.
CREATE UNLOGGED TABLE IF NOT EXISTS dedup_claims (
  tenant_id  text NOT NULL,
  key        text NOT NULL,
  owner      text NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
