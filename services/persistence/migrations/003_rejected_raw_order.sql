-- A rejected row's cells are kept in the supplier's column order (json keeps it, jsonb sorts keys),
-- so an export shows the row as it was sent.
ALTER TABLE rejected_rows ALTER COLUMN raw TYPE json USING raw::json;
