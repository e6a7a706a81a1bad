import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createSqlLeadStore, migrations } from './index.js';

/** A batch of `n` accepted rows of the job, from row `from` on. */
function batch(jobId: string, seq: number, from: number, n: number): LeadBatch {
  return {
    job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq, header: ['email'], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: Array.from({ length: n }, (_, i) => ({
      rowNumber: from + i, lead: { ...emptyLead(), email: `r${from + i}@rate.test` }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, from + i),
    })),
  };
}

describe("a job's rate window, kept by persistence", () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(async () => db.close());

  const window = async (jobId: string) =>
    (
      await db.query<{ from_stored: number | null; mark_stored: number; from_age: number | null; mark_age: number }>(
        `SELECT rate_from_stored AS from_stored, rate_mark_stored AS mark_stored,
                extract(epoch FROM now() - rate_from_at)::float8 AS from_age, extract(epoch FROM now() - rate_mark_at)::float8 AS mark_age
           FROM job_progress WHERE job_id = $1`,
        [jobId],
      )
    ).rows[0]!;
  /** As if the newer sample had been taken `seconds` earlier than it was. */
  const age = (jobId: string, seconds: number) =>
    db.query("UPDATE job_progress SET rate_mark_at = rate_mark_at - $2 * interval '1 second' WHERE job_id = $1", [jobId, seconds]);

  it('samples the rows stored at most every 5 s: the newer sample becomes the older one, a redelivered batch counting nothing', async () => {
    const jobId = uniqueName('rate');
    const store = createSqlLeadStore(db);
    await store.storeBatch(batch(jobId, 0, 1, 10));
    expect(await window(jobId)).toMatchObject({ from_stored: null, from_age: null, mark_stored: 10 });

    // Within 5 s of the sample, a batch moves nothing but the counts.
    await store.storeBatch(batch(jobId, 1, 11, 10));
    expect(await window(jobId)).toMatchObject({ from_stored: null, mark_stored: 10 });

    await age(jobId, 6);
    await store.storeBatch(batch(jobId, 2, 21, 5));
    const shifted = await window(jobId);
    expect(shifted).toMatchObject({ from_stored: 10, mark_stored: 25 });
    expect(shifted.from_age).toBeGreaterThanOrEqual(6);
    expect(shifted.mark_age).toBeLessThan(6);

    // The same batch again: nothing stored, the samples as they were until 5 s have passed.
    await store.storeBatch(batch(jobId, 2, 21, 5));
    expect(await window(jobId)).toMatchObject({ from_stored: 10, mark_stored: 25 });
    await age(jobId, 6);
    await store.storeBatch(batch(jobId, 2, 21, 5));
    expect(await window(jobId)).toMatchObject({ from_stored: 25, mark_stored: 25 });
  });
});
