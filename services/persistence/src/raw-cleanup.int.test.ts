import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { migrations, removeRawCells, runRawCleanup } from './index.js';

/** Raw cells past their retention are emptied, once, and the run is recorded per tenant (docs/data-retention.md). */
describe('the cleanup of raw cells', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    await migrate(db, migrations);
  });
  afterAll(async () => db.close());

  /** Rejected rows and leads of a new tenant: `old` of each filed `hoursAgo` ago, one filed now. */
  async function seed(old: number, hoursAgo: number) {
    const tenant = uniqueName('raw');
    const job = uniqueName('job');
    for (let row = 1; row <= old + 1; row++) {
      const at = row <= old ? `now() - interval '${hoursAgo} hours'` : 'now()';
      await db.query(
        `INSERT INTO rejected_rows (job_id, row_number, tenant_id, raw, reasons, created_at)
         VALUES ($1, $2, $3, $4::json, '[{"code":"NO_CONTACT"}]', ${at})`,
        [job, row, tenant, JSON.stringify({ Email: `not-an-email-${row}`, Name: 'Ann Example' })],
      );
      await db.query(
        `INSERT INTO leads (id, tenant_id, job_id, row_number, email, original, created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, ${at})`,
        [randomUUID(), tenant, job, row, `ann${row}@example.com`, JSON.stringify({ phone: '(212) 555-0100' })],
      );
    }
    return { tenant, job };
  }
  const rejected = (job: string) =>
    db.query<{ row_number: number; raw: Record<string, string>; reasons: unknown[]; removed: boolean }>(
      'SELECT row_number, raw, reasons, raw_removed_at IS NOT NULL AS removed FROM rejected_rows WHERE job_id = $1 ORDER BY row_number', [job],
    ).then((r) => r.rows);
  const leads = (job: string) =>
    db.query<{ row_number: number; email: string; original: Record<string, string> }>('SELECT row_number, email, original FROM leads WHERE job_id = $1 ORDER BY row_number', [job]).then((r) => r.rows);

  it('empties the cells older than the retention and keeps the rows, their reasons and the cleaned leads', async () => {
    const { tenant, job } = await seed(2, 49);
    await runRawCleanup(db, { retentionHours: 48, intervalMs: 3600_000 });

    const rows = await rejected(job);
    expect(rows.map((r) => [r.row_number, r.raw, r.removed])).toEqual([[1, {}, true], [2, {}, true], [3, { Email: 'not-an-email-3', Name: 'Ann Example' }, false]]);
    expect(rows.every((r) => r.reasons.length === 1)).toBe(true);
    expect((await leads(job)).map((l) => [l.email, l.original])).toEqual([
      ['ann1@example.com', {}], ['ann2@example.com', {}], ['ann3@example.com', { phone: '(212) 555-0100' }],
    ]);

    // Recorded, per tenant, with the next run due an interval later.
    const { rows: runs } = await db.query<{ retention_hours: number; next_in: number; error: string | null; rows: number; place: string }>(
      `SELECT s.retention_hours, extract(epoch FROM s.next_at - s.finished_at)::float8 AS next_in, s.error, c.rows, c.place
         FROM storage_cleanups s JOIN storage_cleanup_counts c ON c.cleanup_id = s.id WHERE c.tenant_id = $1 ORDER BY c.place`,
      [tenant],
    );
    // Another process's cleanup (a persistence service of another test) may have taken some first: each is recorded once, by whoever emptied it.
    const total = (place: string) => runs.filter((r) => r.place === place).reduce((a, r) => a + r.rows, 0);
    expect([total('leads.original'), total('rejected_rows.raw')]).toEqual([2, 2]);
    expect(runs.every((r) => r.retention_hours === 48 && r.error === null)).toBe(true);
    expect(runs.every((r) => r.next_in > 0)).toBe(true);

    // A second run finds nothing more of the tenant's.
    expect((await runRawCleanup(db, { retentionHours: 48, intervalMs: 3600_000 })).counts.get(tenant)).toBeUndefined();
  });

  it('keeps cells younger than the retention', async () => {
    const { tenant, job } = await seed(2, 47);
    expect((await removeRawCells(db, 48)).get(tenant)).toBeUndefined();
    expect((await rejected(job)).every((r) => !r.removed)).toBe(true);
  });

  it('counts each row once when two replicas clean at the same time', async () => {
    const { tenant } = await seed(40, 100);
    const other = createPostgres({ url: infraEnv().DATABASE_URL });
    try {
      const [a, b] = await Promise.all([removeRawCells(db, 48), removeRawCells(other, 48)]);
      const of = (c: typeof a, place: 'rejected_rows.raw' | 'leads.original') => c.get(tenant)?.get(place) ?? 0;
      // What a cleanup of another process (another test's persistence service) emptied first, it recorded.
      const { rows } = await db.query<{ place: string; n: number }>('SELECT place, sum(rows)::int AS n FROM storage_cleanup_counts WHERE tenant_id = $1 GROUP BY place', [tenant]);
      const elsewhere = (place: string) => rows.find((r) => r.place === place)?.n ?? 0;
      expect(of(a, 'rejected_rows.raw') + of(b, 'rejected_rows.raw') + elsewhere('rejected_rows.raw')).toBe(40);
      expect(of(a, 'leads.original') + of(b, 'leads.original') + elsewhere('leads.original')).toBe(40);
    } finally {
      await other.close();
    }
  });
});
