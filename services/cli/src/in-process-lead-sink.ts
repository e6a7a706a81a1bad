import type { LeadSink } from '@leadflow/gateway';
import { outcomeOfRow, type RowOutcome } from '@leadflow/persistence';
import type { Sink } from '@leadflow/pipeline';
import type { JobRef, LeadBatch, RowBatch } from '@leadflow/proto';

export interface InProcessLeadSinkOptions {
  /** Runs one batch through every stage; `filed` sees it as persistence passed it on, before delivery. */
  run(batch: RowBatch, filed: Sink<LeadBatch>): Promise<void>;
  /** Keeps a run going after its caller stopped waiting, until the process closes; a failure goes to `onError`. */
  track(running: Promise<void>, onError: (err: unknown) => void): void;
  onError(job: JobRef, err: unknown): void;
}

/** A promise that gives up waiting (undefined) after `ms`, leaving `promise` to go on. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Single leads in `leadflow serve`: each lead's batch runs through the stages in this process,
 * and its outcome is the row as persistence filed it, known without asking the database, before
 * delivery (a slow webhook does not hold the answer).
 */
export function createInProcessLeadSink(opts: InProcessLeadSinkOptions): LeadSink {
  return {
    async submit(batch) {
      let answer!: (outcome: RowOutcome | undefined) => void;
      const filed = new Promise<RowOutcome | undefined>((resolve) => (answer = resolve));
      const running = opts.run(batch, async (stored) => answer(stored.rows[0] && outcomeOfRow(stored.rows[0])));
      // A run that fails answers "not known": the caller gets the job, failed.
      opts.track(running.finally(() => answer(undefined)), (err) => opts.onError(batch.job!, err));
      return { outcome: (waitMs) => within(filed, waitMs) };
    },
  };
}
