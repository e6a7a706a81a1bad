/**
 * The cancel marks of the jobs one process made, kept in memory where that process is the only
 * one on its database (`leadflow serve` on its embedded database, held by its folder's lock) and
 * every cancel of its jobs goes through its own job store. A job made here and not cancelled here
 * is not cancelled, known without a statement; a job cancelled here is. Any other job, and a job
 * whose cancel is under way (its transaction may not have committed yet), is asked of the
 * database, as before: the answers are the database's, only sooner.
 */
export interface LocalCancels {
  /** The job was made by this process just now (its row committed): not cancelled. */
  made(jobId: string): void;
  /** A cancel of the job starts: until it ends, the database is asked (it waits for the cancel's transaction). */
  cancelling(jobId: string): void;
  /** The cancel ended: `cancelled` if it committed the mark (or found it), false if it did not, undefined if it failed. */
  cancelEnded(jobId: string, cancelled: boolean | undefined): void;
  /** The job's mark when known here; undefined: ask the database. */
  known(jobId: string): boolean | undefined;
}

/** @param max jobs remembered; the oldest are then asked of the database again */
export function createLocalCancels(max = 100_000): LocalCancels {
  const marks = new Map<string, boolean>();
  const under = new Map<string, number>();
  const set = (jobId: string, cancelled: boolean) => {
    marks.delete(jobId);
    if (marks.size >= max) marks.delete(marks.keys().next().value!);
    marks.set(jobId, cancelled);
  };
  return {
    made(jobId) {
      if (jobId) set(jobId, false);
    },
    cancelling(jobId) {
      under.set(jobId, (under.get(jobId) ?? 0) + 1);
    },
    cancelEnded(jobId, cancelled) {
      const n = (under.get(jobId) ?? 1) - 1;
      if (n > 0) under.set(jobId, n);
      else under.delete(jobId);
      if (cancelled === true) set(jobId, true);
      // A cancel that failed may have committed all the same: its job is asked of the database from now on.
      else if (cancelled === undefined) marks.delete(jobId);
    },
    known(jobId) {
      if (!jobId || under.has(jobId)) return undefined;
      return marks.get(jobId);
    },
  };
}
