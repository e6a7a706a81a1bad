import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createSqlDeliveryStore, migrations, type DeliveryRecord } from './index.js';

const LEAD = '00000000-0000-4000-8000-000000000001';

describe("a job's delivery counters", () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
  });
  afterAll(() => db.close());

  const record = (jobId: string, url: string, rows: number[], status: DeliveryRecord['status']): DeliveryRecord[] =>
    rows.map((rowNumber) => ({ jobId, rowNumber, leadId: LEAD, url, status, attempts: 1 }));
  const counters = async (jobId: string) =>
    (await db.query<{ delivered: number; failed: number }>('SELECT delivered, failed FROM delivery_progress WHERE job_id = $1', [jobId])).rows[0];

  it('count each lead and endpoint once, as the deliveries table has them, whatever is recorded again', async () => {
    const store = createSqlDeliveryStore(db);
    await store.record(record('j1', 'https://a.example/hook', [1, 2, 3], 'delivered'));
    await store.record(record('j1', 'https://a.example/hook', [4, 5], 'failed'));
    await store.record(record('j1', 'https://b.example/hook', [1, 2], 'delivered'));
    expect(await counters('j1')).toEqual({ delivered: 5, failed: 2 });
    // Redelivered batches: a delivered lead stays as it was; a failure failing again counts once.
    await store.record(record('j1', 'https://a.example/hook', [1, 2, 3], 'delivered'));
    await store.record(record('j1', 'https://a.example/hook', [4, 5], 'failed'));
    expect(await counters('j1')).toEqual({ delivered: 5, failed: 2 });
    // A failed lead delivered on a later try moves from failed to delivered.
    await store.record(record('j1', 'https://a.example/hook', [4], 'delivered'));
    expect(await counters('j1')).toEqual({ delivered: 6, failed: 1 });
    await store.record(record('j1', 'https://a.example/hook', [4], 'failed'));
    expect(await counters('j1')).toEqual({ delivered: 6, failed: 1 });
    expect(await store.jobOutcome('j1')).toMatchObject({ delivered: 6, failed: 1 });
    expect(await counters('j2')).toBeUndefined();
  });
});
