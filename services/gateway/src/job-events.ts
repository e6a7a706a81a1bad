import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from './job-store.js';
import { hasEnded } from './job-view.js';

/**
 * What a watcher of a job is sent (SSE event names, gRPC WatchJobResponse.event): `progress`
 * while the job moves, then one event named after how it ended, and nothing after it.
 */
export type JobEventName = 'progress' | 'completed' | 'failed' | 'cancelled';

export interface JobEvent {
  event: JobEventName;
  job: JobView;
}

/** The job without what changes with the clock alone (the rate and the estimated end): what must change for another event. */
const factsOf = (job: JobView) => JSON.stringify({ ...job, progress: { ...job.progress, rate: null, estimatedEnd: null } });

/**
 * Reads the job every `intervalMs` and sends it as `progress` whenever anything stored about it
 * changed (so at least once a second while it moves, with a half-second interval), then sends
 * its end (`completed`, `failed`, or `cancelled`) and stops. A job already ended gets its end
 * alone. Stops, sending nothing more, when `signal` aborts.
 */
export async function* jobEvents(read: () => Promise<JobView>, opts: { intervalMs: number; signal?: AbortSignal }): AsyncGenerator<JobEvent> {
  let last = '';
  while (!opts.signal?.aborted) {
    const job = await read();
    if (hasEnded(job.status)) {
      yield { event: job.status as JobEventName, job };
      return;
    }
    const facts = factsOf(job);
    if (facts !== last) {
      last = facts;
      yield { event: 'progress', job };
    }
    await sleep(opts.intervalMs, undefined, { signal: opts.signal }).catch(() => undefined);
  }
}
