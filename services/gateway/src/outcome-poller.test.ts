import type { RowOutcome } from '@leadflow/persistence';
import { describe, expect, it } from 'vitest';
import { createOutcomePoller, outcomeKey } from './outcome-poller.js';

const accepted = (leadId: string): RowOutcome => ({ disposition: 'accepted', reasons: [], leadId, match: null });

describe('the poller of single leads filed by another process', () => {
  it('looks for every waiting lead of a tenant in one read per tick, and answers each once it is filed', async () => {
    const filed = new Map<string, RowOutcome>();
    const reads: [string, string[]][] = [];
    const poller = createOutcomePoller(async (tenantId, jobIds) => {
      reads.push([tenantId, [...jobIds]]);
      return new Map(jobIds.filter((id) => filed.has(id)).map((id) => [outcomeKey(id, 1), filed.get(id)!]));
    }, { intervalMs: 5 });
    const waits = [poller.wait('t1', 'job-a', 10_000), poller.wait('t1', 'job-b', 10_000), poller.wait('t2', 'job-c', 10_000)];
    filed.set('job-a', accepted('lead-a'));
    filed.set('job-c', accepted('lead-c'));
    await expect(waits[0]).resolves.toEqual(accepted('lead-a'));
    await expect(waits[2]).resolves.toEqual(accepted('lead-c'));
    expect(reads[0]).toEqual(['t1', ['job-a', 'job-b']]);
    filed.set('job-b', accepted('lead-b'));
    await expect(waits[1]).resolves.toEqual(accepted('lead-b'));
    // Nothing waits: no more reads.
    const count = reads.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(reads.length).toBe(count);
  });

  it('answers unknown once the wait runs out, and goes on asking through a failed read', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const poller = createOutcomePoller(async () => {
      if (fail) {
        fail = false;
        throw new Error('database away');
      }
      return new Map();
    }, { intervalMs: 5, onError: (err) => errors.push(err) });
    await expect(poller.wait('t1', 'never-filed', 60)).resolves.toBeUndefined();
    expect(errors).toEqual([new Error('database away')]);
  });

  it('answers every wait unknown when it stops', async () => {
    const poller = createOutcomePoller(async () => new Map(), { intervalMs: 5 });
    const wait = poller.wait('t1', 'job-a', 60_000);
    poller.stop();
    await expect(wait).resolves.toBeUndefined();
  });
});
