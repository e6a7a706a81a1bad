import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobFailure } from '@leadflow/pipeline';
import type { RowBatch } from '@leadflow/proto';
import { openUploadReader, type UploadReader } from './upload-reader.js';

const job = { jobId: 'j1', tenantId: 't', supplier: '', webhookUrl: '', fileName: 'f.csv', sheet: '', review: false };
const csv = (rows: number, from = 1) => Array.from({ length: rows }, (_, i) => `p${from + i}@x.com,Name ${from + i}`).join('\n') + '\n';

/** Collects what the reader releases downstream, as a stage after ingest would take it. */
function collect(reader: UploadReader) {
  const batches: RowBatch[] = [];
  const done = (async () => {
    for await (const b of reader.batches) batches.push(b);
  })();
  return { batches, done };
}

/** Settles `promise` or says it did not within `ms` (a pending write is what hung uploads). */
const settledWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then((v) => ({ value: v }), (err: Error & { jobFailure?: unknown }) => ({ err })), new Promise((r) => setTimeout(() => r('pending'), ms))]);

describe('openUploadReader', () => {
  it('releases no row until the upload is whole, then every row with the job as it stands at the end', async () => {
    const reader = openUploadReader(job, { batchSize: 100 });
    const out = collect(reader);
    await reader.write(Buffer.from('email,name\n' + csv(250)));
    await reader.write(Buffer.from(csv(250, 251)));
    await new Promise((r) => setTimeout(r, 50));
    expect(out.batches).toEqual([]);
    await reader.end({ ...job, supplier: 'sent after the file', webhookUrl: 'https://example.com/hook' });
    await out.done;
    expect(out.batches.flatMap((b) => b.rows).map((r) => r.rowNumber)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(out.batches.at(-1)).toMatchObject({ last: true, totalRows: 500, failure: undefined });
    expect(new Set(out.batches.map((b) => `${b.job!.supplier}|${b.job!.webhookUrl}`))).toEqual(new Set(['sent after the file|https://example.com/hook']));
  });

  it('keeps nothing of an upload refused half way: one last batch with its failure and no rows', async () => {
    const reader = openUploadReader(job, { batchSize: 100 });
    const out = collect(reader);
    await reader.write(Buffer.from('email,name\n' + csv(1000)));
    reader.fail(jobFailure('UPLOAD_TOO_LARGE', 'limit 1000 bytes'));
    await out.done;
    expect(out.batches).toEqual([
      { job, seq: 0, header: [], rows: [], last: true, totalRows: 0, failure: jobFailure('UPLOAD_TOO_LARGE', 'limit 1000 bytes'), decision: undefined },
    ]);
  });

  it('refuses the next write at once when the file is found unreadable, and keeps the rows before that point', async () => {
    const reader = openUploadReader(job, { batchSize: 100, limits: { maxRecordChars: 1024 } });
    const out = collect(reader);
    await reader.write(Buffer.from('email,name\n' + csv(150) + 'x,' + 'y'.repeat(5000) + '\n'));
    // The reader may take a chunk or two ahead of its parser; it refuses the writes after that.
    const answers: unknown[] = [];
    for (let i = 0; i < 10; i++) answers.push(await settledWithin(reader.write(Buffer.from(csv(1000, 152 + i * 1000))), 5_000));
    expect(answers).not.toContain('pending');
    expect(answers.at(-1)).toMatchObject({ err: { jobFailure: { code: 'ROW_TOO_LONG' } } });
    expect(await settledWithin(reader.end(job), 5_000)).toMatchObject({ err: { jobFailure: { code: 'ROW_TOO_LONG' } } });
    await out.done;
    expect(out.batches.flatMap((b) => b.rows)).toHaveLength(150);
    expect(out.batches.at(-1)).toMatchObject({ last: true, totalRows: 150, failure: { code: 'ROW_TOO_LONG' } });
  });

  it.each([
    ['2 MB of zero bytes', 'FILE_BINARY', () => [Buffer.alloc(256 * 1024), ...Array.from({ length: 7 }, () => Buffer.alloc(256 * 1024))]],
    ['a header of 5,000 columns', 'TOO_MANY_COLUMNS', () => [Buffer.from(Array.from({ length: 5_000 }, (_, i) => `c${i}`).join(',') + '\n'), Buffer.from('a\n')]],
    ['a 3 MB line', 'ROW_TOO_LONG', () => [Buffer.from('email\n'), ...Array.from({ length: 12 }, () => Buffer.alloc(256 * 1024, 'a'))]],
  ])('never leaves the writer of %s waiting: it learns %s', async (_what, code, chunks) => {
    const reader = openUploadReader(job, { batchSize: 100 });
    const out = collect(reader);
    let refused: unknown;
    for (const chunk of chunks()) {
      const written = await settledWithin(reader.write(chunk), 5_000);
      expect(written).not.toBe('pending');
      if ((written as { err?: unknown }).err) {
        refused = (written as { err: unknown }).err;
        break;
      }
    }
    refused ??= ((await settledWithin(reader.end(job), 5_000)) as { err?: unknown }).err;
    expect(refused).toMatchObject({ jobFailure: { code } });
    await out.done;
    expect(out.batches.at(-1)).toMatchObject({ last: true, failure: { code } });
    // A refused header does not travel on: the mapping stage would score every one of its columns.
    expect(out.batches.at(-1)!.header.length).toBeLessThanOrEqual(1000);
  });

  it('holds a large upload in a temporary file rather than in memory, and removes the file once released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadflow-spool-test-'));
    const reader = openUploadReader(job, { batchSize: 200, spool: { memoryBytes: 64 * 1024, dir } });
    const out = collect(reader);
    await reader.write(Buffer.from('email,name\n'));
    for (let i = 0; i < 20; i++) await reader.write(Buffer.from(csv(1000, i * 1000 + 1)));
    expect((await readdir(dir)).filter((f) => f.startsWith('leadflow-spool-'))).toHaveLength(1);
    await reader.end(job);
    await out.done;
    expect(out.batches.flatMap((b) => b.rows).map((r) => r.rowNumber)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('openUploadReader with several files (docs/several-files.md)', () => {
  it('reads each file with its own header, numbers its rows within it, and counts each file on the batch that ends it', async () => {
    const reader = openUploadReader(job, { batchSize: 2 });
    const out = collect(reader);
    await reader.write(Buffer.from('email,name\n' + csv(3)));
    await reader.nextFile('f.csv');
    await reader.write(Buffer.from('Name;E-mail\nBo;bo@x.com\n'));
    await reader.nextFile('g.csv');
    await reader.write(Buffer.from('phone\n'));
    await reader.end();
    await out.done;
    const rows = out.batches.flatMap((b) => b.rows.map((r) => [b.job!.fileIndex, b.job!.file, r.rowNumber % 2 ** 26, b.header.join('|')]));
    expect(rows).toEqual([
      [0, 'f.csv', 1, 'email|name'], [0, 'f.csv', 2, 'email|name'], [0, 'f.csv', 3, 'email|name'], [1, 'f.csv (2)', 1, 'Name|E-mail'],
    ]);
    expect(out.batches.flatMap((b) => b.rows).map((r) => r.rowNumber)).toEqual([1, 2, 3, 2 ** 26 + 1]);
    expect(out.batches.filter((b) => b.job!.fileRows !== undefined).map((b) => [b.job!.fileIndex, b.job!.fileRows])).toEqual([[0, 3], [1, 1]]);
    expect(out.batches.map((b) => b.seq)).toEqual(out.batches.map((_, i) => i));
    expect(out.batches.at(-1)).toMatchObject({ last: true, totalRows: 4, failure: undefined, job: { fileIndex: 2, file: 'g.csv' } });
  });

  it('keeps a job of one file as it always was: no file on its batches', async () => {
    const reader = openUploadReader(job, { batchSize: 10 });
    const out = collect(reader);
    await reader.write(Buffer.from('email\na@x.com\n'));
    await reader.end();
    await out.done;
    expect(out.batches.map((b) => [b.job!.fileIndex, b.job!.file])).toEqual([[undefined, undefined]]);
  });

  it('fails the job with the code of a file that cannot be read, naming it; the rows of the files before it kept', async () => {
    const reader = openUploadReader(job, { batchSize: 10 });
    const out = collect(reader);
    await reader.write(Buffer.from('email\na@x.com\n'));
    await reader.nextFile('photo.csv');
    const write = await settledWithin(reader.write(new Uint8Array(4096).map((_, i) => (i * 7) % 256)).then(() => reader.end()), 5000);
    expect(write).toMatchObject({ err: { jobFailure: { code: 'FILE_BINARY' } } });
    await out.done;
    const last = out.batches.at(-1)!;
    expect([last.last, last.totalRows, last.failure?.code, last.failure?.message.startsWith('photo.csv: ')]).toEqual([true, 1, 'FILE_BINARY', true]);
    expect(out.batches.flatMap((b) => b.rows).map((r) => r.rowNumber)).toEqual([1]);
  });

  it('counts the rows limit over the upload', async () => {
    const reader = openUploadReader(job, { batchSize: 10, limits: { maxRows: 3 } });
    const out = collect(reader);
    await reader.write(Buffer.from('email,name\n' + csv(2)));
    await reader.nextFile('g.csv');
    await settledWithin(reader.write(Buffer.from('email,name\n' + csv(2, 3))).then(() => reader.end()), 5000);
    await out.done;
    expect(out.batches.at(-1)!.failure?.code).toBe('TOO_MANY_ROWS');
    expect(out.batches.at(-1)!.failure?.message).toMatch(/^g\.csv: .*\(the limit is 3 rows an upload\)$/);
    expect(out.batches.flatMap((b) => b.rows)).toHaveLength(3);
  });
});
