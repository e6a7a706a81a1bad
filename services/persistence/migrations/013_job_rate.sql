-- A job's current rate (rows stored per second, and from it the estimated end the gateway
-- shows) over a recent window: two samples of (time, rows stored). Once the newer sample is
-- 5 s old, the next batch makes it the older one and takes its own place, so the rate is read
-- over the last 5 to 10 s of work. NULL older sample: the window starts when the job was made.
ALTER TABLE job_progress ADD COLUMN IF NOT EXISTS rate_from_at timestamptz;
ALTER TABLE job_progress ADD COLUMN IF NOT EXISTS rate_from_stored integer;
ALTER TABLE job_progress ADD COLUMN IF NOT EXISTS rate_mark_at timestamptz;
ALTER TABLE job_progress ADD COLUMN IF NOT EXISTS rate_mark_stored integer;
