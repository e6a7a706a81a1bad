import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createSqlLeadStore, migrations } from './index.js';

const row = (jobId: string, n: number): LeadRow => ({
  rowNumber: n, lead: { ...emptyLead(), firstName: 'Ann', email: `r${n}@x.test` }, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [],
  tags: [], qualityScore: 0, match: undefined, raw: [`r${n}@x.test`], leadId: leadIdFor(jobId, n),
});

const batchOf = (jobId: string, seq: number, rows: number[], last: boolean, totalRows: number, failure?: LeadBatch['failure']): LeadBatch => ({
  job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
  seq, header: ['email'], mapping: [], last, totalRows, failure, rows: rows.map((n) => row(jobId, n)),
});

// The embedded database's one statement for a batch's progress (PGlite runs one transaction at a time).
describe('job progress on the embedded database', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
  }, 120_000);
  afterAll(() => db.close());

  const progress = async (jobId: string) =>
    (await db.query('SELECT total_rows, stored, accepted, completed_at IS NOT NULL AS done FROM job_progress WHERE job_id = $1', [jobId])).rows[0];

  it('completes a job of one batch with that batch, once', async () => {
    const store = createSqlLeadStore(db);
    expect((await store.storeBatch(batchOf('one', 0, [1], true, 1))).finished).toBe('completed');
    expect(await progress('one')).toEqual({ total_rows: 1, stored: 1, accepted: 1, done: true });
    expect((await store.storeBatch(batchOf('one', 0, [1], true, 1))).finished).toBeUndefined();
  });

  it('completes a job of several batches with the one that stores its last row, once', async () => {
    const store = createSqlLeadStore(db);
    expect((await store.storeBatch(batchOf('two', 1, [3], true, 3))).finished).toBeUndefined();
    expect(await progress('two')).toEqual({ total_rows: 3, stored: 1, accepted: 1, done: false });
    expect((await store.storeBatch(batchOf('two', 0, [1, 2], false, 0))).finished).toBe('completed');
    expect((await store.storeBatch(batchOf('two', 1, [3], true, 3))).finished).toBeUndefined();
    expect(await progress('two')).toEqual({ total_rows: 3, stored: 3, accepted: 3, done: true });
  });

  it('fails a job with the batch that carries a failure, first or later', async () => {
    const store = createSqlLeadStore(db);
    const failure = { code: 'CSV_UNCLOSED_QUOTE', message: 'a quoted field is never closed' };
    expect((await store.storeBatch(batchOf('f1', 0, [1], true, 5, failure))).finished).toBe('failed');
    expect((await store.storeBatch(batchOf('f2', 0, [1], false, 0))).finished).toBeUndefined();
    expect((await store.storeBatch(batchOf('f2', 1, [2], true, 9, failure))).finished).toBe('failed');
    expect((await progress('f2'))!.done).toBe(true);
  });
});
