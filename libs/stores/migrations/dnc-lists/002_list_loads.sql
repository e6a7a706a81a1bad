-- Whole replacements and change lists (docs/dnc-lists.md, "Import"): a replacement writes its
-- content under a generation of its own, drawn from this sequence, beside the one in force, and
-- switches to it in one commit; `loading_generation` says one is being written (and since when),
-- so that a second replacement of the same list waits its turn rather than mixing with it.
CREATE SEQUENCE IF NOT EXISTS dnc_list_generations START 1000;
ALTER TABLE dnc_lists ADD COLUMN IF NOT EXISTS loading_generation bigint;
ALTER TABLE dnc_lists ADD COLUMN IF NOT EXISTS loading_at timestamptz;
-- What a change removed, beside what it added: a change list of the FTC has both.
ALTER TABLE dnc_list_changes ADD COLUMN IF NOT EXISTS removed bigint NOT NULL DEFAULT 0;
