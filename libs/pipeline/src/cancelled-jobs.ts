import { fanout, type Fanout, type Stage } from './stage.js';

/** Whether a job was cancelled (docs/job-cancel.md): the mark in the gateway's jobs table. */
export type CancelLookup = (jobId: string) => Promise<boolean>;
/** The cancelled ones among several jobs, in one look-up. */
export type CancelLookupMany = (jobIds: readonly string[]) => Promise<Set<string>>;

export interface CancelledJobs {
  isCancelled(jobId: string): Promise<boolean>;
  /**
   * The cancelled ones among `jobIds`, answered as isCancelled answers each (same cache), with
   * the jobs not cached looked up together: dedup asks about the jobs of every candidate a lead
   * meets, and in `serve` each single lead is a job of its own.
   */
  cancelledAmong(jobIds: Iterable<string>): Promise<Set<string>>;
  /**
   * Says that a job is not cancelled now (its caller made it a moment ago), believed as a
   * look-up's "no" is: a cancel made meanwhile is seen within negativeMs, as always.
   */
  notCancelledNow(jobId: string): void;
}

export interface CancelledJobsOptions {
  /** Looks up several jobs at once for cancelledAmong. @default each job with `lookup` */
  lookupMany?: CancelLookupMany;
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
  const remember = (jobId: string, yes: boolean) => {
    if (yes) {
      if (cancelled.size >= maxPositives) cancelled.delete(cancelled.values().next().value!);
      cancelled.add(jobId);
      runningUntil.delete(jobId);
    } else {
      // Jobs ended long ago would pile up: the map holds only the recent answers.
      if (runningUntil.size >= maxPositives) runningUntil.clear();
      runningUntil.set(jobId, now() + negativeMs);
    }
  };
  /** The cached answer, or undefined when it must be looked up. */
  const known = (jobId: string): boolean | undefined => {
    if (!jobId || cancelled.has(jobId)) return cancelled.has(jobId);
    if ((runningUntil.get(jobId) ?? 0) > now()) return false;
    return undefined;
  };
  const isCancelled = async (jobId: string): Promise<boolean> => {
    const cached = known(jobId);
    if (cached !== undefined) return cached;
    const asked = pending.get(jobId);
    if (asked) return asked;
    const asking = lookup(jobId)
      .then((yes) => (remember(jobId, yes), yes))
      .finally(() => pending.delete(jobId));
    pending.set(jobId, asking);
    return asking;
  };
  return {
    isCancelled,
    notCancelledNow(jobId) {
      if (jobId && !cancelled.has(jobId)) remember(jobId, false);
    },
    async cancelledAmong(jobIds) {
      const found = new Set<string>();
      const waiting: Promise<void>[] = [];
      const ask: string[] = [];
      for (const jobId of new Set(jobIds)) {
        const cached = known(jobId);
        if (cached !== undefined) {
          if (cached) found.add(jobId);
          continue;
        }
        const asked = pending.get(jobId);
        if (asked) waiting.push(asked.then((yes) => void (yes && found.add(jobId))));
        else ask.push(jobId);
      }
      if (ask.length === 1 || (ask.length > 0 && !opts.lookupMany)) {
        waiting.push(...ask.map((jobId) => isCancelled(jobId).then((yes) => void (yes && found.add(jobId)))));
      } else if (ask.length > 1) {
        const asking = opts.lookupMany!(ask).then((yes) => {
          for (const jobId of ask) remember(jobId, yes.has(jobId));
          return yes;
        });
        for (const jobId of ask) {
          const one = asking.then((yes) => yes.has(jobId)).finally(() => pending.delete(jobId));
          pending.set(jobId, one);
        }
        waiting.push(asking.then((yes) => void yes.forEach((jobId) => found.add(jobId))));
      }
      await Promise.all(waiting);
      return found;
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
