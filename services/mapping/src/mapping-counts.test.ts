import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFanout } from '@leadflow/pipeline';
import type { RowBatch } from '@leadflow/proto';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createMappingStage, createSqlMappingStore, migrations } from './index.js';

const job = (jobId: string, review = false) => ({ jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: 'f.csv', sheet: '', review });

/** A batch of the job's rows: an email each, or none (invalid: no contact). */
const batch = (jobId: string, seq: number, emails: string[], last = false, review = false): RowBatch => ({
  job: job(jobId, review), seq, header: ['email', 'name'], last, totalRows: last ? seq * 10 + emails.length : 0, failure: undefined, decision: undefined,
  rows: emails.map((email, i) => ({ rowNumber: seq * 10 + i + 1, cells: [email, 'Ann'] })),
});

describe("mapping's count of a job's rows, for its status", () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
  });
  afterAll(() => db.close());

  const counts = async (jobId: string) =>
    (await db.query('SELECT rows_mapped, rows_invalid, counted_seq, total_rows FROM job_mappings WHERE job_id = $1', [jobId])).rows[0];

  it('counts each batch once, a redelivered one not again, and the total with the last batch', async () => {
    const stage = createMappingStage({ store: createSqlMappingStore(db) });
    await stage(batch('j1', 0, ['a@x.com', '', 'b@x.com']));
    await stage(batch('j1', 0, ['a@x.com', '', 'b@x.com']));
    expect(await counts('j1')).toEqual({ rows_mapped: 3, rows_invalid: 1, counted_seq: 0, total_rows: null });
    await stage(batch('j1', 1, ['c@x.com', ''], true));
    await stage(batch('j1', 0, ['a@x.com', '', 'b@x.com']));
    expect(await counts('j1')).toEqual({ rows_mapped: 5, rows_invalid: 2, counted_seq: 1, total_rows: 12 });
  });

  it('counts a job of one batch (a single lead) with its mapping, once, also when it comes again to another stage', async () => {
    const store = createSqlMappingStore(db);
    const one = { ...batch('j3', 0, ['a@x.com', ''], true), totalRows: 2 };
    const first = await createMappingStage({ store })(one);
    expect(await counts('j3')).toEqual({ rows_mapped: 2, rows_invalid: 1, counted_seq: 0, total_rows: 2 });
    const again = await createMappingStage({ store })(one);
    expect(again).toEqual(first);
    expect(await counts('j3')).toEqual({ rows_mapped: 2, rows_invalid: 1, counted_seq: 0, total_rows: 2 });
    const { rows } = await db.query<{ status: string; fields: string[] }>(
      "SELECT status, array(SELECT c->>'field' FROM jsonb_array_elements(columns) c) AS fields FROM job_mappings WHERE job_id = 'j3'",
    );
    expect(rows).toEqual([{ status: 'automatic', fields: ['email', expect.any(String)] }]);
  });

  it('knows the total of a job in review from its held batches, and counts them once they are released', async () => {
    const stage = createMappingStage({ store: createSqlMappingStore(db) });
    expect(isFanout(await stage(batch('j2', 0, ['a@x.com', 'b@x.com'], false, true)))).toBe(true);
    await stage(batch('j2', 1, [''], true, true));
    expect(await counts('j2')).toEqual({ rows_mapped: 0, rows_invalid: 0, counted_seq: -1, total_rows: 11 });
    const decision: RowBatch = { ...batch('j2', 0, [], false, true), decision: { columns: [], fileIndex: 0 } };
    const released = await stage(decision);
    expect(isFanout(released) && released.outputs.length).toBe(2);
    // The decision again (redelivered before its batches were forgotten): counted once.
    await stage(decision);
    expect(await counts('j2')).toEqual({ rows_mapped: 3, rows_invalid: 1, counted_seq: 1, total_rows: 11 });
  });
});
