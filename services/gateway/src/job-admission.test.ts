import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createLogger } from '@leadflow/logger';
import type { JobRef } from '@leadflow/proto';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import { createOutboundRules } from '@leadflow/outbound';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer, waitUntil } from '@leadflow/testkit';
import { buildRestApp, createJobAdmission, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations, type JobAdmission, type UploadSink } from './index.js';

const outbound = { outbound: createOutboundRules(), resolve: async () => [{ address: '93.184.215.14', family: 4 }] };

/** What reached the pipeline: each job's bytes and whether its upload ended. */
function recordingSink() {
  const uploads = new Map<string, { job: JobRef; bytes: Buffer[]; ended: boolean }>();
  const sink: UploadSink = {
    async decide() {},
    open(job) {
      const u = { job, bytes: [] as Buffer[], ended: false };
      uploads.set(job.jobId, u);
      return { write: async (c) => void u.bytes.push(Buffer.from(c)), end: async () => void (u.ended = true), fail: async () => {} };
    },
  };
  return { sink, uploads };
}

const csv = (name: string, priority?: string) => {
  const boundary = '----leadflowtest';
  const field = priority ? `--${boundary}\r\nContent-Disposition: form-data; name="priority"\r\n\r\n${priority}\r\n` : '';
  const payload = `${field}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}.csv"\r\nContent-Type: text/csv\r\n\r\nemail\r\n${name}@x.com\r\n\r\n--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
};

describe('the per-tenant limit of running jobs', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  let admission: JobAdmission;
  let admin: (o: InjectOptions) => Promise<LightMyRequestResponse>;
  let viewer: (o: InjectOptions) => Promise<LightMyRequestResponse>;
  const recorded = recordingSink();

  /** The job as the pipeline ends it: persistence's record of it completed. */
  const complete = (id: string) =>
    db.query(`INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, completed_at) VALUES ($1, 't1', 1, 1, now())`, [id]);
  const upload = async (name: string, priority?: string) => {
    const res = await admin({ method: 'POST', url: '/v1/jobs', ...csv(name, priority) });
    expect(res.statusCode).toBe(202);
    const id = res.json().id as string;
    await waitUntil(`the upload of ${name} to arrive`, async () => ((await admin({ method: 'GET', url: `/v1/jobs/${id}` })).json().bytesReceived > 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 10 });
    return id;
  };
  const status = async (id: string) => (await admin({ method: 'GET', url: `/v1/jobs/${id}` })).json().status as string;
  const parked = async (id: string) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_parked_chunks WHERE job_id = $1', [id])).rows[0]!.n;

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    await migrate(db, persistenceMigrations);
    admission = createJobAdmission({ db, uploads: recorded.sink, defaultMaxRunning: 0 });
    const service = createJobService({ jobs: createSqlJobStore(db), exports: async function* () {}, uploads: recorded.sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 10_000, admission, ...outbound });
    const keys = createSqlApiKeyStore(db);
    const adminKey = (await keys.create({ tenant: 't1', role: 'admin' })).key;
    const viewerKey = (await keys.create({ tenant: 't1', role: 'viewer' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 10_000, keys });
    admin = (o) => app.inject({ ...o, headers: { ...o.headers, ...bearer(adminKey) } });
    viewer = (o) => app.inject({ ...o, headers: { ...o.headers, ...bearer(viewerKey) } });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('answers the default (0: no limit) until an admin sets one; a viewer may read it but not change it', async () => {
    expect((await viewer({ method: 'GET', url: '/v1/settings/jobs' })).json()).toEqual({ maxRunningJobs: 0 });
    const refused = await viewer({ method: 'PUT', url: '/v1/settings/jobs', payload: { maxRunningJobs: 1 } });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'FORBIDDEN']);
    const set = await admin({ method: 'PUT', url: '/v1/settings/jobs', payload: { maxRunningJobs: 1 } });
    expect([set.statusCode, set.json()]).toEqual([200, { maxRunningJobs: 1 }]);
    expect((await viewer({ method: 'GET', url: '/v1/settings/jobs' })).json()).toEqual({ maxRunningJobs: 1 });
  });

  it('refuses limits that are not a whole number from 0 to 10000 with 400 INVALID_JOB_LIMITS', async () => {
    for (const payload of [{ maxRunningJobs: -1 }, { maxRunningJobs: 1.5 }, { maxRunningJobs: 'two' }, { maxRunningJobs: 10_001 }, {}, { maxRunningJobs: 1, other: 2 }]) {
      const res = await admin({ method: 'PUT', url: '/v1/settings/jobs', payload });
      expect([res.statusCode, res.json().code]).toEqual([400, 'INVALID_JOB_LIMITS']);
    }
    expect((await admin({ method: 'GET', url: '/v1/settings/jobs' })).json()).toEqual({ maxRunningJobs: 1 });
  });

  it('with limit 1, answers a second upload 202 queued with its bytes parked, and starts it once the first has ended', async () => {
    const first = await upload('first');
    const second = await upload('second');
    expect(recorded.uploads.get(first)?.ended).toBe(true);
    expect(recorded.uploads.has(second)).toBe(false);
    expect(await status(second)).toBe('queued');
    expect(await parked(second)).toBeGreaterThan(0);

    expect(await admission.startWaiting()).toBe(0);
    await complete(first);
    expect(await admission.startWaiting()).toBe(1);
    await waitUntil('the second job replayed', () => (recorded.uploads.get(second)?.ended ? true : undefined), { timeoutMs: 10_000, intervalMs: 10 });
    expect(Buffer.concat(recorded.uploads.get(second)!.bytes).toString()).toBe('email\r\nsecond@x.com\r\n');
    expect(await parked(second)).toBe(0);
    await complete(second);
  });

  it('starts the waiting jobs in priority order, high before normal before low, then oldest first', async () => {
    const running = await upload('running');
    const low = await upload('low', 'low');
    const normal = await upload('normal');
    const high = await upload('high', 'high');
    const order: string[] = [];
    for (const expected of [high, normal, low]) {
      await complete(order.at(-1) ?? running);
      expect(await admission.startWaiting()).toBe(1);
      const started = await waitUntil('a waiting job replayed', () => [high, normal, low].find((id) => !order.includes(id) && recorded.uploads.get(id)?.ended), {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      order.push(started);
      expect(started).toBe(expected);
    }
    await complete(low);
  });

  it('drops the parked bytes of a queued job that is cancelled, and never starts it', async () => {
    const running = await upload('busy');
    const waiting = await upload('waiting');
    const cancelled = await admin({ method: 'POST', url: `/v1/jobs/${waiting}/cancel` });
    expect([cancelled.statusCode, cancelled.json().status]).toEqual([200, 'cancelled']);
    await complete(running);
    expect(await admission.startWaiting()).toBe(0);
    expect(await parked(waiting)).toBe(0);
    expect(recorded.uploads.has(waiting)).toBe(false);
  });
});
