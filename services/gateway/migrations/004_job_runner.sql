-- The standalone process (leadflow run or serve) that runs the job while it runs, so that a
-- process starting later can tell a job whose process was killed (it ends INTERRUPTED) from one
-- still running in another process. NULL in Kafka mode, where the services run every job, and
-- once the job's rows all went through (a job in review waits in the database, not in a process).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS runner text;
CREATE INDEX IF NOT EXISTS jobs_runner ON jobs (runner) WHERE runner IS NOT NULL;
