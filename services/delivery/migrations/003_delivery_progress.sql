-- How many of a job's deliveries (one per lead and endpoint) were delivered and how many failed,
-- kept as counters beside the deliveries as they are recorded, so that a job's status (read
-- every half second while someone watches it, and for every job of a list) costs one row, not
-- a count of the job's deliveries.
CREATE TABLE IF NOT EXISTS delivery_progress (
  job_id      text        PRIMARY KEY,
  delivered   integer     NOT NULL DEFAULT 0,
  failed      integer     NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO delivery_progress (job_id, delivered, failed)
SELECT job_id, count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'failed')
  FROM deliveries GROUP BY job_id
ON CONFLICT (job_id) DO NOTHING;
