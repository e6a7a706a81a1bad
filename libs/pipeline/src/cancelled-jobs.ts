import { fanout, type Fanout, type Stage } from './stage.js';

/** Whether a job was cancelled (docs/job-cancel.md): the mark in the gateway's jobs table. */
export type CancelLookup = (jobId: string) => Promise<boolean>;

export interface CancelledJobs {
  isCancelled(jobId: string): Promise<boolean>;
}

export interface CancelledJobsOptions {
  /** How long a "not cancelled" answer is believed: a cancel is seen within about this. @default 1000 */
  negativeMs?: number;
  /** Cancelled jobs remembered; older ones are looked up again. @default 10000 */
  maxPositives?: number;
  now?: () => number;
}

/**
 * The per-process check every stage makes before a batch: a lookup at most once a second per
 * job while it runs, none once it is cancelled (a cancel is final), so the check costs a map
 * read per batch. Concurrent checks of one job share one lookup.
 */
export function createCancelledJobs(lookup: CancelLookup, opts: CancelledJobsOptions = {}): CancelledJobs {
  const negativeMs = opts.negativeMs ?? 1000;
  const maxPositives = opts.maxPositives ?? 10_000;
  const now = opts.now ?? Date.now;
  const cancelled = new Set<string>();
  const runningUntil = new Map<string, number>();
  const pending = new Map<string, Promise<boolean>>();
  return {
    async isCancelled(jobId) {
      if (!jobId || cancelled.has(jobId)) return cancelled.has(jobId);
      if ((runningUntil.get(jobId) ?? 0) > now()) return false;
      const asked = pending.get(jobId);
      if (asked) return asked;
      const asking = lookup(jobId)
        .then((yes) => {
          if (yes) {
            if (cancelled.size >= maxPositives) cancelled.delete(cancelled.values().next().value!);
            cancelled.add(jobId);
            runningUntil.delete(jobId);
          } else {
            // Jobs ended long ago would pile up: the map holds only the recent answers.
            if (runningUntil.size >= maxPositives) runningUntil.clear();
            runningUntil.set(jobId, now() + negativeMs);
          }
          return yes;
        })
        .finally(() => pending.delete(jobId));
      pending.set(jobId, asking);
      return asking;
    },
  };
}

/**
 * A stage that drops the batches of cancelled jobs before any work: nothing of them goes on.
 * Wired where stages are composed (the Kafka stage service, the standalone runner), not in each stage.
 */
export function skipCancelled<I, O>(
  stage: Stage<I, O | Fanout<O>>,
  cancelled: CancelledJobs | undefined,
  jobIdOf: (batch: I) => string = (b) => (b as { job?: { jobId: string } }).job?.jobId ?? '',
): Stage<I, O | Fanout<O>> {
  if (!cancelled) return stage;
  return async (batch, signal) => ((await cancelled.isCancelled(jobIdOf(batch))) ? fanout<O>([]) : stage(batch, signal));
}
