import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@leadflow/proto';
import { waitUntil } from '@leadflow/testkit';
import { recordReads } from './read-progress.js';

const batch = (rows: number, last = false, totalRows = 0): RowBatch => ({
  job: undefined, seq: 0, header: [], rows: Array.from({ length: rows }, (_, i) => ({ rowNumber: i + 1, cells: [] })), last, totalRows, failure: undefined, decision: undefined,
});

describe('the rows ingest reads of an upload, recorded in its job', () => {
  it('writes at most once per interval and one write at a time, then the count with its total once the file is read', async () => {
    const writes: [number, number | undefined][] = [];
    let release!: () => void;
    const saving = new Promise<void>((resolve) => (release = resolve));
    const see = recordReads(async (rows, total) => {
      writes.push([rows, total]);
      if (writes.length === 1) await saving;
    }, () => {}, 20);
    for (let i = 0; i < 100; i++) see(batch(10));
    await waitUntil('the first write', async () => (writes.length === 1 ? true : undefined), { timeoutMs: 10_000, intervalMs: 5 });
    // The last batch while the first write is still on its way: it waits for that write to end.
    see(batch(5, true, 1005));
    expect(writes).toEqual([[1000, undefined]]);
    release();
    await waitUntil('the last write', async () => (writes.length === 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 5 });
    expect(writes).toEqual([[1000, undefined], [1005, 1005]]);
  });

  it('reports a write that failed, and tries again with the next', async () => {
    const writes: number[] = [];
    const errors: unknown[] = [];
    const see = recordReads(async (rows) => {
      writes.push(rows);
      if (writes.length === 1) throw new Error('database away');
    }, (err) => errors.push(err), 5);
    see(batch(3, true, 3));
    await waitUntil('the write again', async () => (writes.length === 2 ? true : undefined), { timeoutMs: 10_000, intervalMs: 5 });
    expect([writes, errors.map((e) => (e as Error).message)]).toEqual([[3, 3], ['database away']]);
  });
});
