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
 * Single leads in `leadflow serve`: the batch of a lead (or of the leads sent at once) runs
 * through the stages in this process, and each row's outcome is the row as persistence filed
 * it, known without asking the database, before delivery (a slow webhook does not hold the
 * answer).
 */
export function createInProcessLeadSink(opts: InProcessLeadSinkOptions): LeadSink {
  return {
    // Leads that come while a batch runs wait for it (it holds the one database connection), up to 50 ms.
    batching: { lingerMs: 50 },
    async submit(batch) {
      const answers = new Map<number, (outcome: RowOutcome | undefined) => void>();
      const filed = new Map(
        batch.rows.map((r) => [r.rowNumber, new Promise<RowOutcome | undefined>((resolve) => answers.set(r.rowNumber, resolve))] as const),
      );
      const running = opts.run(batch, async (stored) => {
        for (const row of stored.rows) answers.get(row.rowNumber)?.(outcomeOfRow(row));
      });
      // A run that fails answers "not known" for the rows it had not filed: the caller gets the job, failed.
      opts.track(running.finally(() => answers.forEach((answer) => answer(undefined))), (err) => opts.onError(batch.job!, err));
      return { outcome: (waitMs, row = 1) => within(filed.get(row) ?? Promise.resolve(undefined), waitMs) };
    },
  };
}
