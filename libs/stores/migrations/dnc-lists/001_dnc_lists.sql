-- The Do-Not-Call lists, their truth (docs/dnc-lists.md): Redis only caches what these tables hold.
CREATE TABLE IF NOT EXISTS dnc_lists (
  list_id       bigserial   PRIMARY KEY,
  -- national, national-ca, state:XX, litigator, internal, wireless, suppression
  kind          text        NOT NULL,
  -- '' for a list shared by every tenant; else the one tenant that owns it
  owner         text        NOT NULL DEFAULT '',
  source        text        NOT NULL,
  -- the date the list's content is as of; null while a shared list was never loaded
  snapshot_date date,
  -- bumped by every change: a screening records the version it used
  version       bigint      NOT NULL DEFAULT 0,
  -- the content rows in force; a full replacement writes the next one and switches in one commit
  generation    bigint      NOT NULL DEFAULT 1,
  size          bigint      NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  changed_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, owner)
);

-- North American numbers of a shared list: 65,536 subscriber numbers of an area code a block,
-- one bit each, most significant bit first (Redis's SETBIT order), only blocks with a number.
CREATE TABLE IF NOT EXISTS dnc_list_blocks (
  list_id    bigint   NOT NULL REFERENCES dnc_lists ON DELETE CASCADE,
  generation bigint   NOT NULL,
  area_code  smallint NOT NULL,
  block      smallint NOT NULL,
  bits       bytea    NOT NULL CHECK (length(bits) = 8192),
  PRIMARY KEY (list_id, generation, area_code, block)
);
-- Dense bits do not compress: kept out of line uncompressed, read without a decompression.
ALTER TABLE dnc_list_blocks ALTER COLUMN bits SET STORAGE EXTERNAL;

-- Every other number: of a tenant's list, or outside North America on a shared one (E.164).
CREATE TABLE IF NOT EXISTS dnc_list_numbers (
  list_id    bigint      NOT NULL REFERENCES dnc_lists ON DELETE CASCADE,
  generation bigint      NOT NULL,
  phone      text        NOT NULL,
  added_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (list_id, generation, phone)
);

-- What changed a list, version by version: the record of what a decision was checked against.
CREATE TABLE IF NOT EXISTS dnc_list_changes (
  list_id       bigint      NOT NULL REFERENCES dnc_lists ON DELETE CASCADE,
  version       bigint      NOT NULL,
  change        text        NOT NULL,
  numbers       bigint      NOT NULL,
  source        text        NOT NULL,
  snapshot_date date,
  changed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (list_id, version)
);

-- The national list exists from the start, empty: every number is checked against it.
INSERT INTO dnc_lists (kind, owner, source) VALUES ('national', '', 'none loaded') ON CONFLICT DO NOTHING;
