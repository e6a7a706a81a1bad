-- Several files, one job (docs/several-files.md): each file's header is mapped on its own. The
-- first file's mapping stays in job_mappings (with the job's counts and review state); each
-- further file's is kept here by its 0-based position in the upload, decided on its first rows.
CREATE TABLE IF NOT EXISTS job_file_mappings (
  job_id      text        NOT NULL,
  file_index  integer     NOT NULL,
  tenant_id   text        NOT NULL,
  columns     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, file_index)
);
