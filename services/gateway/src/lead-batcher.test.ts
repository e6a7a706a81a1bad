import type { RowOutcome } from '@leadflow/persistence';
import { describe, expect, it } from 'vitest';
import { createLeadBatcher, type FlushLeads } from './lead-batcher.js';

const accepted = (leadId: string): RowOutcome => ({ disposition: 'accepted', reasons: [], leadId, match: null });
const lead = (email: string, over: Partial<{ tenantId: string; supplier: string; header: string[]; waitMs: number }> = {}) => ({
  tenantId: 't1', supplier: '', header: ['email'], cells: [email], waitMs: 5_000, ...over,
});

/** A pipeline stand-in: each flush is a job whose rows are filed when `file` is called. */
function fakePipeline() {
  const flushed: { jobId: string; tenantId: string; header: string[]; cells: string[][]; file(): void }[] = [];
  const flush: FlushLeads = async (group, leads) => {
    const jobId = `job-${flushed.length + 1}`;
    let file!: () => void;
    const filed = new Promise<void>((resolve) => (file = resolve));
    flushed.push({ jobId, tenantId: group.tenantId, header: group.header, cells: leads.map((l) => l.cells), file });
    return {
      jobId,
      outcome: (row, waitMs) =>
        Promise.race([filed.then(() => accepted(`${jobId}:${leads[row - 1]!.cells[0]}`)), new Promise<undefined>((r) => setTimeout(() => r(undefined), waitMs))]),
    };
  };
  return { flushed, flush };
}

const until = async (what: () => boolean) => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(what()).toBe(true);
};

describe('gathering single leads sent at once', () => {
  it('sends a lead alone at once, and those arriving while it runs as one batch, each answered with its own row', async () => {
    const { flushed, flush } = fakePipeline();
    const batcher = createLeadBatcher(flush, { lingerMs: 60_000 });
    const first = batcher.add(lead('a@x.example'));
    await until(() => flushed.length === 1);
    const rest = ['b', 'c', 'd'].map((l) => batcher.add(lead(`${l}@x.example`)));
    // Held while the first batch runs (its linger is long here): nothing more is sent.
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed.length).toBe(1);
    flushed[0]!.file();
    await expect(first).resolves.toEqual({ jobId: 'job-1', row: 1, outcome: accepted('job-1:a@x.example') });
    await until(() => flushed.length === 2);
    expect(flushed[1]!.cells).toEqual([['b@x.example'], ['c@x.example'], ['d@x.example']]);
    flushed[1]!.file();
    expect(await Promise.all(rest)).toEqual(['b', 'c', 'd'].map((l, i) => ({ jobId: 'job-2', row: i + 1, outcome: accepted(`job-2:${l}@x.example`) })));
  });

  it('keeps tenants, suppliers and field names apart, and sends what waits once the linger ran out', async () => {
    const { flushed, flush } = fakePipeline();
    const batcher = createLeadBatcher(flush, { lingerMs: 10 });
    const answers = [
      batcher.add(lead('a@x.example')),
      batcher.add(lead('b@x.example', { tenantId: 't2' })),
      batcher.add(lead('c@x.example', { supplier: 'Acme' })),
      batcher.add(lead('d@x.example', { header: ['Email'] })),
      batcher.add(lead('e@x.example')),
    ];
    await until(() => flushed.length === 4);
    expect(flushed.map((f) => [f.tenantId, f.header, f.cells.length])).toEqual([['t1', ['email'], 2], ['t2', ['email'], 1], ['t1', ['email'], 1], ['t1', ['Email'], 1]]);
    // The first batch is never filed: a lead of its group sent now goes after the linger, not after it.
    const late = batcher.add(lead('f@x.example'));
    await until(() => flushed.length === 5);
    for (const f of flushed) f.file();
    expect((await Promise.all([...answers, late])).map((a) => [a.jobId, a.row])).toEqual([['job-1', 1], ['job-2', 1], ['job-3', 1], ['job-4', 1], ['job-1', 2], ['job-5', 1]]);
  });

  it('answers a lead whose wait runs out without its outcome, sends at most maxRows together, and tells every lead of a batch that could not be sent', async () => {
    const { flushed, flush } = fakePipeline();
    const batcher = createLeadBatcher(flush, { maxRows: 2, lingerMs: 60_000 });
    const answers = ['a', 'b', 'c', 'd', 'e'].map((l) => batcher.add(lead(`${l}@x.example`, { waitMs: 50 })));
    await expect(Promise.all(answers)).resolves.toEqual(expect.arrayContaining([{ jobId: 'job-1', row: 1, outcome: undefined }]));
    expect(flushed.map((f) => f.cells.length)).toEqual([2, 2, 1]);

    const failing = createLeadBatcher(async () => {
      throw new Error('bus away');
    });
    await expect(Promise.all([failing.add(lead('a@x.example')), failing.add(lead('b@x.example'))])).rejects.toThrow('bus away');
  });
});
