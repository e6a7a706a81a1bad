import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '@leadflow/proto';
import { RowSpool } from './row-spool.js';

const job = { jobId: 'j1', tenantId: 't', supplier: '', webhookUrl: '', fileName: 'f.csv', sheet: '', review: false };
/** A batch of 10 rows of about 1 KB each. */
const batch = (seq: number): RowBatch => ({
  job, seq, header: ['email', 'note'], last: false, totalRows: 0, failure: undefined, decision: undefined,
  rows: Array.from({ length: 10 }, (_, i) => ({ rowNumber: seq * 10 + i + 1, cells: [`p${seq}.${i}@x.com`, 'n'.repeat(1000)] })),
});
const spoolDir = () => mkdtempSync(join(tmpdir(), 'leadflow-spool-test-'));

describe('RowSpool', () => {
  it('gives back every batch in order, those beyond its memory through a file it removes after', async () => {
    const dir = spoolDir();
    const spool = new RowSpool({ memoryBytes: 32 * 1024, dir });
    for (let seq = 0; seq < 200; seq++) await spool.append(batch(seq));
    expect(spool.spilledBytes).toBeGreaterThan(150 * 10 * 1000);
    spool.release();
    spool.finish();
    const seqs: number[] = [];
    for await (const b of spool.drain()) seqs.push(b.seq);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await readdir(dir)).toEqual([]);
  });

  it('once released, makes its writer wait for the reader rather than grow the file', async () => {
    const dir = spoolDir();
    const spool = new RowSpool({ memoryBytes: 32 * 1024, dir });
    for (let seq = 0; seq < 50; seq++) await spool.append(batch(seq));
    const heldBefore = spool.spilledBytes;
    spool.release();
    let appended = 50;
    const writer = (async () => {
      for (; appended < 300; appended++) await spool.append(batch(appended));
      spool.finish();
    })();
    await spool.full;
    // What was held, plus at most memoryBytes more: the writer waits for the reader.
    expect(appended).toBeLessThan(50 + 5);
    const seqs: number[] = [];
    for await (const b of spool.drain()) seqs.push(b.seq);
    await writer;
    expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // At most memoryBytes, and the one batch that crossed it, beyond what was held.
    expect(spool.spilledBytes).toBeLessThan(heldBefore + 32 * 1024 + 11 * 1024);
    expect(await readdir(dir)).toEqual([]);
  });

  it('drops everything and its file when discarded, and a writer waiting goes free', async () => {
    const dir = spoolDir();
    const spool = new RowSpool({ memoryBytes: 16 * 1024, dir });
    for (let seq = 0; seq < 40; seq++) await spool.append(batch(seq));
    expect(await readdir(dir)).toHaveLength(1);
    await spool.discard();
    const seqs: number[] = [];
    for await (const b of spool.drain()) seqs.push(b.seq);
    expect(seqs).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});
