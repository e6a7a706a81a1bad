import { describe, expect, it } from 'vitest';
import { jobEvents, type JobEvent } from './job-events.js';
import type { JobView } from './job-store.js';
import { jobViewOf } from './job-view.js';
import type { JobFactsRow } from './job-facts.js';

/** A job at a moment of its life: its status, rows stored, and the rate the clock gives. */
const at = (status: string, stored: number, rate = 0): JobView =>
  jobViewOf({
    id: 'j', supplier: '', supplier_id: null, cost_per_lead: null, cost_currency: null, file_name: 'f.csv', created_at: new Date(0), status, failure_code: status === 'failed' ? 'INTERNAL' : null, failure_message: null, cancelled_at: status === 'cancelled' ? new Date(0) : null,
    bytes_received: 0, rows_read: 100, rows_total: 100, rows_mapped: stored, rows_invalid: 0, mapped_total: null, total_rows: null, stored, accepted: stored,
    invalid: 0, duplicate: 0, suppressed: 0, window_rows: rate, window_seconds: 1, delivered: 0, delivery_failed: 0, delivery_pending: 0, read_at: new Date(), tenant_id: 't', ended_at: null,
  } satisfies JobFactsRow);

/** Every event of a watch whose reads give `states` in turn (the last one again if asked more). */
async function watch(states: JobView[], signal?: AbortSignal): Promise<{ events: JobEvent[]; reads: number }> {
  let reads = 0;
  const events: JobEvent[] = [];
  const read = async () => states[Math.min(reads++, states.length - 1)]!;
  for await (const e of jobEvents(read, { intervalMs: 1, signal })) events.push(e);
  return { events, reads };
}

describe('watching a job', () => {
  it('sends progress each time something stored changed, then how the job ended, then nothing more', async () => {
    const { events, reads } = await watch([at('queued', 0), at('running', 10, 10), at('running', 10, 7), at('running', 60, 50), at('completed', 100)]);
    expect(events.map((e) => [e.event, e.job.status, e.job.progress.stages.persistence.rowsIn])).toEqual([
      ['progress', 'queued', 0],
      ['progress', 'running', 10],
      // The same rows stored, a lower rate only as time passed: no event.
      ['progress', 'running', 60],
      ['completed', 'completed', 100],
    ]);
    expect(reads).toBe(5);
  });

  it('sends a job that has ended its end alone, named as it ended', async () => {
    for (const status of ['completed', 'failed', 'cancelled']) {
      const { events } = await watch([at(status, 40)]);
      expect(events.map((e) => e.event)).toEqual([status]);
    }
  });

  it('stops when the watcher goes away, without an end', async () => {
    const gone = new AbortController();
    let reads = 0;
    const events: string[] = [];
    for await (const e of jobEvents(async () => at('running', reads++), { intervalMs: 1, signal: gone.signal })) {
      events.push(e.event);
      if (events.length === 3) gone.abort();
    }
    expect(events).toEqual(['progress', 'progress', 'progress']);
  });
});
