import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { migrations as mappingMigrations } from '@leadflow/mapping';
import { createOutboundRules } from '@leadflow/outbound';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer } from '@leadflow/testkit';
import { buildRestApp, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations, type JobView, type UploadSink } from './index.js';

const sink: UploadSink = { open: () => ({ write: async () => {}, end: async () => {}, fail: async () => {} }), decide: async () => {} };

interface Page {
  jobs: JobView[];
  next: string | null;
}

/** A job as listed and as GET /v1/jobs/{id} shows it, less what moves with the clock alone. */
const still = (job: JobView) => ({ ...job, progress: { ...job.progress, rate: null, estimatedEnd: null } });

describe('GET /v1/jobs: a tenant finds its jobs', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  let key: string;
  /** Statements the job store sent to the database, counted by the test that measures a page's cost. */
  let statements = 0;
  /** The jobs of tenant acme, newest first: [id, file, supplier, minutes ago, status]. */
  const made: { id: string; file: string; supplier: string; minutesAgo: number; status: string }[] = [];

  beforeAll(async () => {
    db = await createPglite();
    for (const m of [migrations, persistenceMigrations, mappingMigrations, dncListMigrations]) await migrate(db, m);
    const counted: SqlClient = { ...db, query: (text, params) => (statements++, db.query(text, params)) };
    const jobs = createSqlJobStore(counted);
    const service = createJobService({ jobs, exports: async function* () {}, uploads: sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 1000, outbound: createOutboundRules() });
    const keys = createSqlApiKeyStore(db);
    key = (await keys.create({ tenant: 'acme', role: 'viewer' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 1000, keys });

    const make = async (tenantId: string, n: number, file: string, supplier: string, minutesAgo: number, status: 'queued' | 'running' | 'completed' | 'failed') => {
      const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      await jobs.create({ id, tenantId, supplier, fileName: file, webhookUrl: '' });
      await db.query("UPDATE jobs SET created_at = timestamptz '2026-05-10T12:00:00Z' - $2 * interval '1 minute' WHERE id = $1", [id, minutesAgo]);
      if (status !== 'queued') {
        await db.query(
          `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, completed_at) VALUES ($1, $2, 10, $3, $3, $4)`,
          [id, tenantId, status === 'running' ? 4 : 10, status === 'completed' ? new Date() : null],
        );
      }
      if (status === 'failed') await jobs.failUpload(id, { code: 'UPLOAD_ABORTED', message: 'cut off' });
      if (tenantId === 'acme') made.push({ id, file, supplier, minutesAgo, status });
    };
    await make('acme', 1, 'march-leads.csv', 'Acme Data', 600, 'completed');
    await make('acme', 2, 'April Leads.xlsx', 'acme data', 500, 'completed');
    await make('acme', 3, '100%_off.csv', 'Globex', 400, 'failed');
    await make('acme', 4, '1000 off.csv', 'Globex', 300, 'running');
    // Two jobs made in the same microsecond: the id orders them, and paging loses neither.
    await make('acme', 5, 'twin-a.csv', '', 200, 'queued');
    await make('acme', 6, 'twin-b.csv', '', 200, 'queued');
    await make('acme', 7, 'may.csv', 'Initech', 100, 'running');
    await make('globex', 8, 'march-leads.csv', 'Acme Data', 50, 'completed');
    made.sort((a, b) => a.minutesAgo - b.minutesAgo || b.id.localeCompare(a.id));
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: bearer(key) });
    return { status: res.statusCode, body: res.json() as Page & { code?: string; message?: string } };
  };
  const ids = async (query: string) => {
    const { status, body } = await get(`/v1/jobs?${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body.jobs.map((j) => j.id);
  };
  const idsOf = (pick: (j: (typeof made)[number]) => boolean) => made.filter(pick).map((j) => j.id);

  it('lists its own jobs newest first, a page at a time, each job as GET /v1/jobs/{id} shows it', async () => {
    const seen: JobView[] = [];
    const pages: number[] = [];
    let next: string | null = '';
    for (let i = 0; i < 10 && next !== null; i++) {
      const { status, body } = await get(`/v1/jobs?limit=3${next ? `&after=${next}` : ''}`);
      expect(status).toBe(200);
      pages.push(body.jobs.length);
      seen.push(...body.jobs);
      next = body.next;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(next).toBeNull();
    expect(seen.map((j) => j.id)).toEqual(made.map((j) => j.id));
    for (const job of seen) {
      const one = await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}`, headers: bearer(key) });
      expect(still(job)).toEqual(still(one.json()));
    }
    expect(seen.map((j) => j.status)).toEqual(made.map((j) => j.status));
    // A page that ends exactly at the last job says there is no next one.
    const whole = await get('/v1/jobs?limit=7');
    expect([whole.body.jobs.length, whole.body.next]).toEqual([7, null]);
    // Empty parameters, as a form sends them, filter nothing.
    expect(await ids('status=&supplier=&q=&createdFrom=&createdTo=&limit=&after=')).toEqual(made.map((j) => j.id));
  });

  it('filters by status (one or several), supplier, and created time', async () => {
    expect(await ids('status=running')).toEqual(idsOf((j) => j.status === 'running'));
    expect(await ids('status=queued,failed')).toEqual(idsOf((j) => j.status === 'queued' || j.status === 'failed'));
    expect(await ids('status=stalled')).toEqual([]);
    expect(await ids('supplier=Globex')).toEqual(idsOf((j) => j.supplier === 'Globex'));
    expect(await ids('supplier=globex')).toEqual([]);
    // From is inclusive, to exclusive; a date alone is midnight UTC.
    expect(await ids('createdFrom=2026-05-10T06:40:00Z')).toEqual(idsOf((j) => j.minutesAgo <= 320));
    expect(await ids('createdFrom=2026-05-10T07:00:00Z&createdTo=2026-05-10T10:20:00%2B00:00')).toEqual(idsOf((j) => j.minutesAgo <= 300 && j.minutesAgo > 100));
    expect(await ids('createdTo=2026-05-10')).toEqual([]);
    expect(await ids('createdFrom=2026-05-10&status=completed')).toEqual(idsOf((j) => j.status === 'completed'));
  });

  it('finds text in the job id, the file name and the supplier, whatever its case, % and _ taken as they are', async () => {
    expect(await ids('q=MARCH')).toEqual(idsOf((j) => j.file === 'march-leads.csv'));
    expect(await ids('q=acme%20data')).toEqual(idsOf((j) => j.supplier.toLowerCase() === 'acme data'));
    expect(await ids('q=8000-000000000005')).toEqual(idsOf((j) => j.id.endsWith('5')));
    expect(await ids('q=100%25_')).toEqual(idsOf((j) => j.file === '100%_off.csv'));
    expect(await ids('q=_')).toEqual(idsOf((j) => j.file.includes('_')));
    expect(await ids('q=%25')).toEqual(idsOf((j) => j.file.includes('%')));
    expect(await ids('q=%5C')).toEqual([]);
  });

  it('answers a parameter that is not valid with 400 INVALID_QUERY naming it', async () => {
    const refused = async (query: string) => {
      const { status, body } = await get(`/v1/jobs?${query}`);
      return [status, body.code, body.message];
    };
    expect(await refused('status=done')).toEqual([400, 'INVALID_QUERY', expect.stringMatching(/^status must be one or more of queued, running, .*comma-separated/)]);
    expect(await refused('limit=0')).toEqual([400, 'INVALID_QUERY', 'limit must be a whole number from 1 to 1000 (default 50)']);
    expect(await refused('limit=1001')).toEqual([400, 'INVALID_QUERY', 'limit must be a whole number from 1 to 1000 (default 50)']);
    expect(await refused('createdFrom=yesterday')).toEqual([400, 'INVALID_QUERY', expect.stringMatching(/^createdFrom must be an ISO 8601 date or time/)]);
    expect(await refused('createdTo=2026-13-01')).toEqual([400, 'INVALID_QUERY', expect.stringMatching(/^createdTo must be an ISO 8601 date or time .*not "2026-13-01"/)]);
    expect(await refused('createdFrom=2026-05-02&createdTo=2026-05-01')).toEqual([400, 'INVALID_QUERY', 'createdFrom must be before createdTo']);
    expect(await refused('after=bm90LWEtY3Vyc29y')).toEqual([400, 'INVALID_QUERY', 'after must be the "next" of the page before, as it was answered']);
    expect(await refused('after=a+b')).toEqual([400, 'INVALID_QUERY', expect.stringMatching(/^after must be the "next" of the page before/)]);
    expect(await refused(`q=${'x'.repeat(201)}`)).toEqual([400, 'INVALID_QUERY', expect.stringMatching(/^q must be text to find/)]);
    expect(await refused('sort=created')).toEqual([400, 'INVALID_QUERY', expect.stringMatching(/^sort is not a query parameter this route takes/)]);
  });

  it('reads a page of 100 jobs with their status and progress in one query, not one per job', async () => {
    const jobs = createSqlJobStore(db);
    for (let i = 0; i < 100; i++) await jobs.create({ id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, tenantId: 'bulk', supplier: 's', fileName: `${i}.csv`, webhookUrl: '' });
    const bulk = (await createSqlApiKeyStore(db).create({ tenant: 'bulk', role: 'viewer' })).key;
    statements = 0;
    const res = await app.inject({ method: 'GET', url: '/v1/jobs?limit=100', headers: bearer(bulk) });
    expect((res.json() as Page).jobs).toHaveLength(100);
    // The list itself, and the look for tables other services create (delivery's is not in this database).
    expect(statements).toBe(2);
  });
});
