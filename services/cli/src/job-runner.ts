import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { forgetRowsNeverStored } from '@leadflow/dedup';
import type { JobStore } from '@leadflow/gateway';
import type { Logger } from '@leadflow/logger';
import { isLockHeld, type SqlClient } from '@leadflow/stores';

const lockName = (runner: string) => `leadflow-runner:${runner}`;

export interface JobRunner {
  /** This process's name in `jobs.runner`. */
  readonly name: string;
  /** Runs `work` for a job as this process's: a kill (or a failure) in the middle leaves the job to be interrupted. */
  running<T>(jobId: string, work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * This process as the runner of the jobs it takes on (standalone mode). It holds a lock named
 * after itself in the database for as long as it runs, so that processes sharing the database
 * (DATABASE_URL) can tell it runs; on the embedded database no other process can run at all.
 * Starting, it ends the jobs of runners that stopped without finishing them (killed): each
 * fails with INTERRUPTED, so its status is final and its event streams end, and what dedup
 * remembered of its rows that were never stored is forgotten, so that no later row is taken
 * for a duplicate of a lead that does not exist.
 */
export async function startJobRunner(db: SqlClient, jobs: JobStore, logger: Logger): Promise<JobRunner> {
  const name = `${hostname()}/${process.pid}/${randomUUID()}`;
  const release = await db.holdLock(lockName(name));
  const interrupted = await jobs.interruptOrphans(async (other) => other === name || (await isLockHeld(db, lockName(other))));
  if (interrupted.length > 0) {
    await forgetRowsNeverStored(db, interrupted);
    logger.info({ jobs: interrupted }, 'jobs interrupted by the end of the process that ran them: failed with INTERRUPTED');
  }
  return {
    name,
    async running(jobId, work) {
      await jobs.run(jobId, name);
      const out = await work();
      // Not after a failure: the job then waits to be failed, by the caller or by the next start.
      await jobs.ran(jobId, name);
      return out;
    },
    stop: release,
  };
}
