import type { RowOutcome } from '@leadflow/persistence';

/** Reads how the leads of some jobs of one tenant were filed, for those filed so far, by `outcomeKey(jobId, row)`. */
export type ReadOutcomes = (tenantId: string, jobIds: readonly string[]) => Promise<Map<string, RowOutcome>>;

/** The key of row `row` of job `jobId` in what ReadOutcomes answers. */
export const outcomeKey = (jobId: string, row: number) => `${jobId}/${row}`;

interface Waiter {
  tenantId: string;
  jobId: string;
  resolve(outcome: RowOutcome | undefined): void;
  timer: NodeJS.Timeout;
}

/**
 * Waits for single leads to be filed by another process (persistence, in Kafka mode): every
 * lead waiting in this gateway is looked for in one query per tenant per tick, so that a hundred
 * callers waiting at once cost the database what one does. Ticks only while someone waits.
 */
export function createOutcomePoller(read: ReadOutcomes, opts: { intervalMs?: number; onError?: (err: unknown) => void } = {}) {
  const intervalMs = opts.intervalMs ?? 10;
  const waiting = new Map<string, Waiter>();
  let ticking: NodeJS.Timeout | undefined;

  const settle = (key: string, outcome: RowOutcome | undefined) => {
    const waiter = waiting.get(key);
    if (!waiter) return;
    waiting.delete(key);
    clearTimeout(waiter.timer);
    waiter.resolve(outcome);
  };

  async function tick() {
    const byTenant = new Map<string, Set<string>>();
    for (const w of waiting.values()) {
      const jobIds = byTenant.get(w.tenantId);
      if (jobIds) jobIds.add(w.jobId);
      else byTenant.set(w.tenantId, new Set([w.jobId]));
    }
    for (const [tenantId, jobIds] of byTenant) {
      try {
        for (const [key, outcome] of await read(tenantId, [...jobIds])) settle(key, outcome);
      } catch (err) {
        // A database away for a moment: the next tick asks again, until each wait runs out.
        opts.onError?.(err);
      }
    }
    ticking = waiting.size > 0 ? setTimeout(() => void tick(), intervalMs) : undefined;
  }

  return {
    /** How the lead of row `row` of job `jobId` was filed, or undefined when it is not within `waitMs`. */
    wait(tenantId: string, jobId: string, waitMs: number, row = 1): Promise<RowOutcome | undefined> {
      const key = outcomeKey(jobId, row);
      return new Promise((resolve) => {
        waiting.set(key, { tenantId, jobId, resolve, timer: setTimeout(() => settle(key, undefined), waitMs) });
        ticking ??= setTimeout(() => void tick(), intervalMs);
      });
    },
    /** Answers every wait at once, unknown (the gateway stops). */
    stop() {
      for (const key of [...waiting.keys()]) settle(key, undefined);
      clearTimeout(ticking);
      ticking = undefined;
    },
  };
}
