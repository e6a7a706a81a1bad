-- A row is screened once for each of its numbers (its own phone and the alternates of its further
-- phone columns): the audit keeps a check per number, not one per row and list.
ALTER TABLE dnc_audit DROP CONSTRAINT IF EXISTS dnc_audit_pkey;
ALTER TABLE dnc_audit ADD PRIMARY KEY (job_id, row_number, list, phone);
