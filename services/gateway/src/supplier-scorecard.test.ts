import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createLogger } from '@leadflow/logger';
import { createOutboundRules } from '@leadflow/outbound';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import type { JobRef } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer, waitUntil } from '@leadflow/testkit';
import { buildRestApp, createJobService, createSqlApiKeyStore, createSqlJobStore, createSqlSupplierStore, migrations, type UploadSink } from './index.js';
import { createSqlScorecardFacts } from './supplier-scorecard.js';
import { moneyOf, parseAmount } from './money.js';

const handedOn: JobRef[] = [];
const sink: UploadSink = {
  decide: async () => {},
  open: () => ({ write: async () => {}, end: async (final) => void handedOn.push(final), fail: async () => {} }),
};

interface JobAnswer {
  id: string;
  counts: { rows: number; accepted: number; invalid: number; duplicate: number; suppressed: number };
  totalCost: { amount: string; currency: string } | null;
}

describe('a supplier scorecard', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  const keys = { admin: '', viewer: '', otherAdmin: '' };
  const call = (key: string) => (o: InjectOptions) => app.inject({ ...o, headers: { ...o.headers, ...bearer(key) } });
  const admin = (o: InjectOptions) => call(keys.admin)(o);
  const upload = async (supplier: string) => {
    const boundary = 'scorecard-test';
    const payload = [`--${boundary}`, 'Content-Disposition: form-data; name="supplier"', '', supplier, `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="f.csv"', 'Content-Type: text/csv', '', 'email', 'a@x.com', `--${boundary}--`, ''].join('\r\n');
    const res = await admin({ method: 'POST', url: '/v1/jobs', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json() as { id: string };
    await waitUntil(`job ${job.id} handed on`, () => (handedOn.some((r) => r.jobId === job.id) ? true : undefined), { timeoutMs: 30_000, intervalMs: 10 });
    return job.id;
  };
  /** A job's rows as persistence stores them: its counts, its leads with their quality, its possible duplicates. */
  const stored = async (jobId: string, c: { rows: number; accepted: number; invalid?: number; duplicate?: number; suppressed?: number }, quality: number[], possible = 0) => {
    await db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, invalid, duplicate, suppressed, completed_at)
       VALUES ($1, 't1', $2, $2, $3, $4, $5, $6, now())`,
      [jobId, c.rows, c.accepted, c.invalid ?? 0, c.duplicate ?? 0, c.suppressed ?? 0],
    );
    for (const [i, q] of quality.entries()) {
      const id = randomUUID();
      await db.query('INSERT INTO leads (id, tenant_id, job_id, row_number, quality_score) VALUES ($1, $2, $3, $4, $5)', [id, 't1', jobId, i + 1, q]);
      if (i < possible) {
        await db.query(
          'INSERT INTO possible_duplicates (lead_id, tenant_id, job_id, row_number, matched_lead_id, score, detail) VALUES ($1, $2, $3, $4, $5, 0.6, $6)',
          [id, 't1', jobId, i + 1, randomUUID(), 'test'],
        );
      }
    }
  };
  const scorecard = async (id: string, query = '', key = keys.viewer) => call(key)({ method: 'GET', url: `/v1/suppliers/${id}/scorecard${query}` });

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    await migrate(db, persistenceMigrations);
    const service = createJobService({
      jobs: createSqlJobStore(db), exports: async function* () {}, uploads: sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 10_000,
      outbound: createOutboundRules(), suppliers: createSqlSupplierStore(db), scorecardFacts: createSqlScorecardFacts(db),
    });
    const store = createSqlApiKeyStore(db);
    keys.admin = (await store.create({ tenant: 't1', role: 'admin' })).key;
    keys.viewer = (await store.create({ tenant: 't1', role: 'viewer' })).key;
    keys.otherAdmin = (await store.create({ tenant: 't2', role: 'admin' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 10_000, keys: store });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('adds up the jobs of its period as each job counts and costs itself', async () => {
    const made = await admin({ method: 'POST', url: '/v1/suppliers', payload: { name: 'Scored', costPerLead: { amount: '0.35', currency: 'USD' } } });
    const s = made.json() as { id: string };
    const [a, b, old] = [await upload('Scored'), await upload('Scored'), await upload('Scored')];
    await upload('Someone Else');
    await stored(a, { rows: 7, accepted: 3, invalid: 2, duplicate: 1, suppressed: 1 }, [60, 80, 70], 1);
    await stored(b, { rows: 5, accepted: 4, duplicate: 1 }, [90, 50, 40, 100], 2);
    await stored(old, { rows: 3, accepted: 1, invalid: 2 }, [10]);
    await db.query("UPDATE jobs SET created_at = '2026-01-15T12:00:00Z' WHERE id = $1", [old]);

    const from = '2026-02-01';
    const res = await scorecard(s.id, `?from=${from}`);
    expect(res.statusCode, res.body).toBe(200);
    const card = res.json();
    // The period's jobs as GET /v1/jobs/{id} shows each: the scorecard is their sum.
    const jobs = await Promise.all([a, b].map(async (id) => (await admin({ method: 'GET', url: `/v1/jobs/${id}` })).json() as JobAnswer));
    const sum = (k: keyof JobAnswer['counts']) => jobs.reduce((n, j) => n + j.counts[k], 0);
    const totalCost = moneyOf(jobs.reduce((n, j) => n + parseAmount(j.totalCost!.amount), 0n), 'USD');
    expect(card).toEqual({
      supplierId: s.id, supplier: 'Scored', from: '2026-02-01T00:00:00.000Z', to: null,
      jobs: 2, rows: sum('rows'), accepted: sum('accepted'), invalid: sum('invalid'), duplicate: sum('duplicate'), suppressed: sum('suppressed'),
      possibleDuplicates: 3, acceptedShare: Number((sum('accepted') / sum('rows')).toFixed(4)),
      averageQuality: 70, exclusiveShare: null,
      costs: [{ currency: 'USD', jobs: 2, rows: 12, accepted: 7, totalCost, costPerAcceptedLead: { amount: '0.60', currency: 'USD' } }],
    });
    expect(totalCost).toEqual({ amount: '4.20', currency: 'USD' });

    // The older job alone, in its month.
    expect((await scorecard(s.id, '?from=2026-01-01&to=2026-02-01T00:00:00Z')).json()).toMatchObject({
      jobs: 1, rows: 3, accepted: 1, invalid: 2, possibleDuplicates: 0, averageQuality: 10,
      costs: [{ currency: 'USD', totalCost: { amount: '1.05', currency: 'USD' }, costPerAcceptedLead: { amount: '1.05', currency: 'USD' } }],
    });
    // A period without jobs.
    expect((await scorecard(s.id, '?to=2025-01-01')).json()).toMatchObject({ jobs: 0, rows: 0, acceptedShare: 0, averageQuality: null, costs: [] });

    // Once leads carry their exclusivity (issue 15's exclusivity work), its share shows.
    await db.query('ALTER TABLE leads ADD COLUMN IF NOT EXISTS exclusivity text');
    await db.query("UPDATE leads SET exclusivity = CASE WHEN quality_score >= 70 THEN 'exclusive' ELSE 'non-exclusive' END WHERE job_id IN ($1, $2)", [a, b]);
    expect((await scorecard(s.id, `?from=${from}`)).json().exclusiveShare).toBe(Number((4 / 7).toFixed(4)));
  });

  it('refuses a period that is not one, and keeps another tenant out', async () => {
    const s = (await admin({ method: 'POST', url: '/v1/suppliers', payload: { name: 'Periodic' } })).json() as { id: string };
    const bad = await scorecard(s.id, '?from=yesterday');
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'INVALID_QUERY']);
    const backwards = await scorecard(s.id, '?from=2026-03-01&to=2026-02-01');
    expect([backwards.statusCode, backwards.json()]).toEqual([400, { code: 'INVALID_QUERY', message: 'from must be before to' }]);
    const other = await scorecard(s.id, '', keys.otherAdmin);
    expect([other.statusCode, other.json().code]).toEqual([404, 'SUPPLIER_NOT_FOUND']);
  });
});
