-- How each header of a supplier's confirmed mapping was learned, for GET /v1/suppliers/{id}/mapping:
-- the header as the supplier wrote it (the key stays the folded header), and by what:
--   review       a person's decision on a job in review (job_id names the job)
--   map_command  `leadflow map --confirm` of one of the supplier's files
--   api          PUT /v1/suppliers/{id}/mapping (or gRPC SetSupplierMapping), which replaces the whole mapping
-- Rows kept from before this migration say 'unrecorded' and have no source header.
ALTER TABLE supplier_mappings ADD COLUMN IF NOT EXISTS source_header text;
ALTER TABLE supplier_mappings ADD COLUMN IF NOT EXISTS learned_by text NOT NULL DEFAULT 'unrecorded';
ALTER TABLE supplier_mappings ADD COLUMN IF NOT EXISTS job_id text;
