import type { RowOutcome } from '@leadflow/persistence';

/** Reads how the leads of some jobs of one tenant were filed, for those filed so far. */
export type ReadOutcomes = (tenantId: string, jobIds: readonly string[]) => Promise<Map<string, RowOutcome>>;

interface Waiter {
  tenantId: string;
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

  const settle = (jobId: string, outcome: RowOutcome | undefined) => {
    const waiter = waiting.get(jobId);
    if (!waiter) return;
    waiting.delete(jobId);
    clearTimeout(waiter.timer);
    waiter.resolve(outcome);
  };

  async function tick() {
    const byTenant = new Map<string, string[]>();
    for (const [jobId, w] of waiting) {
      const jobIds = byTenant.get(w.tenantId);
      if (jobIds) jobIds.push(jobId);
      else byTenant.set(w.tenantId, [jobId]);
    }
    for (const [tenantId, jobIds] of byTenant) {
      try {
        for (const [jobId, outcome] of await read(tenantId, jobIds)) settle(jobId, outcome);
      } catch (err) {
        // A database away for a moment: the next tick asks again, until each wait runs out.
        opts.onError?.(err);
      }
    }
    ticking = waiting.size > 0 ? setTimeout(() => void tick(), intervalMs) : undefined;
  }

  return {
    /** How the lead of job `jobId` was filed, or undefined when it is not within `waitMs`. */
    wait(tenantId: string, jobId: string, waitMs: number): Promise<RowOutcome | undefined> {
      return new Promise((resolve) => {
        waiting.set(jobId, { tenantId, resolve, timer: setTimeout(() => settle(jobId, undefined), waitMs) });
        ticking ??= setTimeout(() => void tick(), intervalMs);
      });
    },
    /** Answers every wait at once, unknown (the gateway stops). */
    stop() {
      for (const jobId of [...waiting.keys()]) settle(jobId, undefined);
      clearTimeout(ticking);
      ticking = undefined;
    },
  };
}
