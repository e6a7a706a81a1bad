import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointAdmin, endpointSecretContext, migrations as deliveryMigrations } from '@leadflow/delivery';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { bearer } from '@leadflow/testkit';
import { createSqlJobStore } from './index.js';
import { startRouteHarness, TENANT_KEYS, type RouteHarness } from './route-harness.test-support.js';

const keyring = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'LEADFLOW_SECRET_KEYS');
/** hooks.example.com is a public address; everything else resolves to loopback, which the rules refuse. */
const resolve = async (host: string) => [{ address: host === 'hooks.example.com' ? '93.184.216.34' : '127.0.0.1', family: 4 }];
const SECRET = /^whsec_[A-Za-z0-9+/]{32}$/;

describe('webhook endpoints, job rates, deliveries and replays over REST and gRPC', () => {
  let h: RouteHarness<'admin' | 'viewer' | 'uploader' | 'otherAdmin'>;
  const jobId = randomUUID();

  beforeAll(async () => {
    h = await startRouteHarness({
      keys: { ...TENANT_KEYS, uploader: { tenant: 'acme', role: 'uploader' } },
      migrations: [deliveryMigrations],
      service: (sdb) => ({ resolve, webhooks: createEndpointAdmin(sdb, keyring) }),
    });
    await createSqlJobStore(h.db).create({ id: jobId, tenantId: 'acme', supplier: '', fileName: 'a.csv', webhookUrl: '' });
  });
  afterAll(async () => h?.close());

  const call = (method: string, url: string, k: string, payload?: unknown) =>
    h.app.inject({ method: method as 'GET', url, headers: bearer(k), ...(payload === undefined ? {} : { payload: payload as object }) });
  const create = async (body: object, k = h.key.admin) => {
    const res = await call('POST', '/v1/webhooks', k, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string };
  };

  it('makes an endpoint with a whsec_ secret sealed at rest, and never shows the secret again but to an admin who asks', async () => {
    const made = await create({ url: 'https://hooks.example.com/in', mode: 'record', perSecond: 5, events: ['lead.created'], headers: { 'X-Team': 'sales' } });
    expect(made).toMatchObject({
      url: 'https://hooks.example.com/in', mode: 'record', batchSize: 500, perSecond: 5, events: ['lead.created'], headers: { 'X-Team': 'sales' }, enabled: true,
      description: '', disabledReason: null, previousSecretExpiresAt: null, secret: expect.stringMatching(SECRET),
    });
    const row = (await h.db.query<{ tenant_id: string; secret: string | null; secret_sealed: string; active: boolean }>(
      'SELECT tenant_id, secret, secret_sealed, active FROM webhook_endpoints WHERE id = $1', [made.id],
    )).rows[0]!;
    expect([row.tenant_id, row.secret, row.active]).toEqual(['acme', null, true]);
    expect(row.secret_sealed).not.toContain(made.secret.slice(6));
    expect(keyring.open(row.secret_sealed, endpointSecretContext(made.id))).toBe(made.secret);

    const listed = await call('GET', '/v1/webhooks', h.key.viewer);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().webhooks.map((w: { id: string }) => w.id)).toContain(made.id);
    expect(listed.body).not.toContain(made.secret);
    const one = await call('GET', `/v1/webhooks/${made.id}`, h.key.viewer);
    expect([one.statusCode, one.json().id, 'secret' in one.json()]).toEqual([200, made.id, false]);

    expect((await call('GET', `/v1/webhooks/${made.id}/secret`, h.key.viewer)).statusCode).toBe(403);
    const secret = await call('GET', `/v1/webhooks/${made.id}/secret`, h.key.admin);
    expect(secret.json()).toEqual({ id: made.id, secret: made.secret, previousSecret: null, previousSecretExpiresAt: null });
  });

  it('refuses bad endpoints with INVALID_WEBHOOK, INVALID_WEBHOOK_URL and WEBHOOK_URL_FORBIDDEN, and keeps nothing of them', async () => {
    const before = (await h.db.query('SELECT 1 FROM webhook_endpoints')).rows.length;
    const cases: [object, string][] = [
      [{ url: 'https://hooks.example.com/in' }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'stream' }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', batchSize: 1001 }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', perSecond: -1 }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', events: ['lead.deleted'] }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', events: [] }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', headers: { 'webhook-id': 'x' } }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', headers: { 'X-A': 'a\r\nX-B: b' } }, 'INVALID_WEBHOOK'],
      [{ url: 'https://hooks.example.com/in', mode: 'batch', colour: 'red' }, 'INVALID_WEBHOOK'],
      [{ url: 'ftp://hooks.example.com/in', mode: 'batch' }, 'INVALID_WEBHOOK_URL'],
      [{ url: 'https://internal.example.com/in', mode: 'batch' }, 'WEBHOOK_URL_FORBIDDEN'],
      [{ url: 'http://hooks.example.com/in', mode: 'batch' }, 'WEBHOOK_URL_FORBIDDEN'],
    ];
    for (const [body, code] of cases) {
      const res = await call('POST', '/v1/webhooks', h.key.admin, body);
      expect([res.statusCode, res.json().code], JSON.stringify(body)).toEqual([400, code]);
    }
    const headerMessage = (await call('POST', '/v1/webhooks', h.key.admin, { url: 'https://hooks.example.com/in', mode: 'batch', headers: { 'Content-Type': 'x' } })).json();
    expect(headerMessage).toEqual({ code: 'INVALID_WEBHOOK', message: expect.stringContaining('"Content-Type" is delivery\'s own') });
    expect((await h.db.query('SELECT 1 FROM webhook_endpoints')).rows.length).toBe(before);
  });

  it('changes, disables and deletes an endpoint; another tenant neither sees nor changes it', async () => {
    const made = await create({ url: 'https://hooks.example.com/a', mode: 'batch', batchSize: 50 });
    const patched = await call('PATCH', `/v1/webhooks/${made.id}`, h.key.admin, { enabled: false, perSecond: 30, description: 'CRM' });
    expect([patched.statusCode, patched.json()]).toEqual([200, expect.objectContaining({ enabled: false, perSecond: 30, description: 'CRM', batchSize: 50 })]);
    expect((await call('PATCH', `/v1/webhooks/${made.id}`, h.key.admin, { url: 'https://10.0.0.1/x' })).json().code).toBe('WEBHOOK_URL_FORBIDDEN');
    expect((await call('PATCH', `/v1/webhooks/${made.id}`, h.key.viewer, { enabled: true })).statusCode).toBe(403);

    for (const [method, path, body] of [
      ['GET', '', undefined], ['PATCH', '', { enabled: true }], ['DELETE', '', undefined], ['POST', '/rotate', undefined], ['GET', '/secret', undefined],
      ['POST', '/replay', {}],
    ] as const) {
      const res = await call(method, `/v1/webhooks/${made.id}${path}`, h.key.otherAdmin, body);
      expect([res.statusCode, res.json().code], `${method} ${path}`).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    }
    expect((await call('GET', '/v1/webhooks', h.key.otherAdmin)).json().webhooks).toEqual([]);
    expect((await h.db.query<{ active: boolean }>('SELECT active FROM webhook_endpoints WHERE id = $1', [made.id])).rows[0]!.active).toBe(false);

    const deleted = await call('DELETE', `/v1/webhooks/${made.id}`, h.key.admin);
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    expect((await h.db.query('SELECT 1 FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NOT NULL', [made.id])).rows).toHaveLength(1);
    expect((await call('GET', `/v1/webhooks/${made.id}`, h.key.admin)).json().code).toBe('WEBHOOK_NOT_FOUND');
    expect((await call('DELETE', `/v1/webhooks/${made.id}`, h.key.admin)).statusCode).toBe(404);
    expect((await call('GET', '/v1/webhooks/not-a-uuid', h.key.admin)).json().code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('rotates a secret: the new one answered, the old one kept sealed for a day', async () => {
    const made = await create({ url: 'https://hooks.example.com/r', mode: 'record' });
    const rotated = await call('POST', `/v1/webhooks/${made.id}/rotate`, h.key.admin);
    expect(rotated.statusCode).toBe(200);
    const r = rotated.json() as { secret: string; previousSecret: string; previousSecretExpiresAt: string };
    expect([r.secret, r.previousSecret]).toEqual([expect.stringMatching(SECRET), made.secret]);
    expect(r.secret).not.toBe(made.secret);
    const hours = (new Date(r.previousSecretExpiresAt).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const row = (await h.db.query<{ secret_sealed: string; previous_secret_sealed: string }>(
      'SELECT secret_sealed, previous_secret_sealed FROM webhook_endpoints WHERE id = $1', [made.id],
    )).rows[0]!;
    expect(keyring.open(row.secret_sealed, endpointSecretContext(made.id))).toBe(r.secret);
    expect(keyring.open(row.previous_secret_sealed, endpointSecretContext(made.id))).toBe(made.secret);
    expect((await call('GET', `/v1/webhooks/${made.id}`, h.key.viewer)).json().previousSecretExpiresAt).toBe(r.previousSecretExpiresAt);
    expect((await call('GET', `/v1/webhooks/${made.id}/secret`, h.key.admin)).json()).toMatchObject({ secret: r.secret, previousSecret: made.secret });
  });

  it("reads and rotates the tenant's default secret, each tenant its own", async () => {
    const first = (await call('GET', '/v1/settings/webhook-secret', h.key.admin)).json();
    expect(first).toMatchObject({ secret: expect.stringMatching(SECRET), previousSecret: null });
    expect((await call('GET', '/v1/settings/webhook-secret', h.key.admin)).json().secret).toBe(first.secret);
    expect((await call('GET', '/v1/settings/webhook-secret', h.key.viewer)).statusCode).toBe(403);
    const other = (await call('GET', '/v1/settings/webhook-secret', h.key.otherAdmin)).json();
    expect(other.secret).not.toBe(first.secret);
    const rotated = (await call('POST', '/v1/settings/webhook-secret/rotate', h.key.admin)).json();
    expect(rotated).toMatchObject({ secret: expect.stringMatching(SECRET), previousSecret: first.secret, previousSecretExpiresAt: expect.any(String) });
    const row = (await h.db.query<{ secret_sealed: string }>("SELECT secret_sealed FROM webhook_default_secrets WHERE tenant_id = 'acme'")).rows[0]!;
    expect(keyring.open(row.secret_sealed, 'webhook_default_secrets.secret_sealed/acme')).toBe(rotated.secret);
    expect((await call('GET', '/v1/settings/webhook-secret', h.key.otherAdmin)).json().secret).toBe(other.secret);
  });

  it("sets a job's rate, answering the one before, and shows the limit and the rate measured in the job", async () => {
    expect((await call('GET', `/v1/jobs/${jobId}`, h.key.viewer)).json().deliveryRate).toEqual({ perSecond: null, current: 0 });
    const first = await call('PUT', `/v1/jobs/${jobId}/rate`, h.key.uploader, { perSecond: 15 });
    expect([first.statusCode, first.json()]).toEqual([200, { previous: null, perSecond: 15 }]);
    expect((await call('PUT', `/v1/jobs/${jobId}/rate`, h.key.uploader, { perSecond: 0 })).json()).toEqual({ previous: 15, perSecond: 0 });
    expect((await h.db.query('SELECT tenant_id, per_second FROM delivery_job_rates WHERE job_id = $1', [jobId])).rows).toEqual([{ tenant_id: 'acme', per_second: 0 }]);
    for (const body of [{ perSecond: -1 }, { perSecond: 1.5 }, { perSecond: '5' }, {}, { perSecond: 5, burst: 2 }]) {
      const res = await call('PUT', `/v1/jobs/${jobId}/rate`, h.key.uploader, body);
      expect([res.statusCode, res.json().code], JSON.stringify(body)).toEqual([400, 'INVALID_JOB_RATE']);
    }
    expect((await call('PUT', `/v1/jobs/${jobId}/rate`, h.key.viewer, { perSecond: 5 })).statusCode).toBe(403);
    expect((await call('PUT', `/v1/jobs/${jobId}/rate`, h.key.otherAdmin, { perSecond: 5 })).json().code).toBe('JOB_NOT_FOUND');

    // Ten attempts for the job's events in the last seconds: 2 a second over the 5 s window.
    await seedEvents(jobId, null, [['msg_rate_1', 'delivered']], 10);
    expect((await call('GET', `/v1/jobs/${jobId}`, h.key.viewer)).json().deliveryRate).toEqual({ perSecond: 0, current: 2 });
    await call('PUT', `/v1/jobs/${jobId}/rate`, h.key.uploader, { perSecond: 10 });

    const client = h.clientAs('uploader');
    try {
      const set = await new Promise((ok, fail) => client.setJobRate({ id: jobId, perSecond: 60 }, (err, res) => (err ? fail(err) : ok(res))));
      expect(set).toEqual({ previous: 10, perSecond: 60 });
      const job = await new Promise<{ job?: { deliveryRate?: unknown } }>((ok, fail) => client.getJob({ id: jobId }, (err, res) => (err ? fail(err) : ok(res!))));
      expect(job.job?.deliveryRate).toEqual({ perSecond: 60, current: 2 });
    } finally {
      client.close();
    }
  });

  /** Writes ended (or pending, due tomorrow) events and their attempts of a second ago, as delivery's dispatcher does. */
  async function seedEvents(job: string, endpoint: string | null, events: [string, string][], attemptsEach = 1, tenant = 'acme', leads = 1) {
    for (const [id, status] of events) {
      await h.db.query(
        `INSERT INTO delivery_events (id, tenant_id, endpoint_id, url, event_type, job_id, lead_count, payload, status, attempts, last_error, delivered_at, next_attempt_at)
         VALUES ($1, $2, $3, 'https://hooks.example.com/in', 'lead.created', $4, $5, '{}', $6, $7, $8, $9, now() + interval '1 day')`,
        [id, tenant, endpoint, job, leads, status, attemptsEach, status === 'failed' ? 'HTTP 503' : null, status === 'delivered' ? new Date() : null],
      );
      for (let a = 1; a <= attemptsEach; a++) {
        await h.db.query(
          `INSERT INTO delivery_attempts (event_id, attempt, tenant_id, started_at, duration_ms, http_status, error) VALUES ($1, $2, $3, now() - interval '1 second', 12, $4, $5)`,
          [id, a, tenant, status === 'failed' ? 503 : 200, status === 'failed' ? 'HTTP 503' : null],
        );
      }
    }
  }

  it('lists deliveries newest first, a page at a time, filtered, each with its attempts; another tenant sees none', async () => {
    const hook = await create({ url: 'https://hooks.example.com/list', mode: 'record' });
    const job = randomUUID();
    await seedEvents(job, hook.id, [['msg_list_a', 'delivered'], ['msg_list_b', 'failed'], ['msg_list_c', 'pending']], 2);
    const page1 = (await call('GET', `/v1/deliveries?endpoint=${hook.id}&limit=2`, h.key.viewer)).json();
    expect(page1.deliveries).toHaveLength(2);
    expect(page1.deliveries[0]).toMatchObject({ endpoint: hook.id, job, event: 'lead.created', leads: 1, history: [expect.objectContaining({ attempt: 2 }), expect.objectContaining({ attempt: 1 })] });
    const page2 = (await call('GET', `/v1/deliveries?endpoint=${hook.id}&limit=2&after=${page1.next}`, h.key.viewer)).json();
    expect([page2.deliveries.length, page2.next]).toEqual([1, null]);
    const ids = [...page1.deliveries, ...page2.deliveries].map((d: { id: string }) => d.id);
    expect(new Set(ids)).toEqual(new Set(['msg_list_a', 'msg_list_b', 'msg_list_c']));
    const failed = (await call('GET', `/v1/deliveries?status=failed&job=${job}`, h.key.viewer)).json().deliveries;
    expect(failed).toEqual([expect.objectContaining({ id: 'msg_list_b', status: 'failed', attempts: 2, lastError: 'HTTP 503', nextAttemptAt: null })]);
    expect((await call('GET', `/v1/deliveries?job=${job}`, h.key.otherAdmin)).json()).toEqual({ deliveries: [], next: null });
    for (const q of ['status=lost', 'limit=0', 'limit=1001', 'after=msg_nothing', 'colour=red']) {
      const res = await call('GET', `/v1/deliveries?${q}`, h.key.viewer);
      expect([res.statusCode, res.json().code], q).toEqual([400, 'INVALID_QUERY']);
    }
  });

  it('replays failed events as pending with their ids, attempts and counts moved in one go; another tenant cannot', async () => {
    const hook = await create({ url: 'https://hooks.example.com/replay', mode: 'batch' });
    const job = randomUUID();
    await seedEvents(job, hook.id, [['msg_rp_1', 'failed'], ['msg_rp_2', 'failed'], ['msg_rp_3', 'delivered']], 3, 'acme', 10);
    await h.db.query('INSERT INTO delivery_progress (job_id, delivered, failed, pending) VALUES ($1, 10, 20, 0)', [job]);

    const foreign = await call('POST', `/v1/webhooks/${hook.id}/replay`, h.key.otherAdmin, { status: 'failed' });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
    expect((await call('POST', `/v1/webhooks/${hook.id}/replay`, h.key.admin, { status: 'pending' })).json().code).toBe('INVALID_REPLAY');
    expect((await call('POST', `/v1/webhooks/${hook.id}/replay`, h.key.admin, { from: 'yesterday' })).json().code).toBe('INVALID_REPLAY');

    const replayed = await call('POST', `/v1/webhooks/${hook.id}/replay`, h.key.admin, { job, status: 'failed' });
    expect([replayed.statusCode, replayed.json()]).toEqual([200, { replayed: 2, leads: 20 }]);
    const rows = (await h.db.query<{ id: string; status: string; attempts: number; due: boolean }>(
      'SELECT id, status, attempts, next_attempt_at <= now() AS due FROM delivery_events WHERE job_id = $1 ORDER BY id', [job],
    )).rows;
    expect(rows).toEqual([
      { id: 'msg_rp_1', status: 'pending', attempts: 3, due: true },
      { id: 'msg_rp_2', status: 'pending', attempts: 3, due: true },
      { id: 'msg_rp_3', status: 'delivered', attempts: 3, due: false },
    ]);
    expect((await h.db.query('SELECT delivered, failed, pending FROM delivery_progress WHERE job_id = $1', [job])).rows).toEqual([{ delivered: 10, failed: 0, pending: 20 }]);

    // Everything ended, from a time on: the delivered one too; nothing before `from`.
    expect((await call('POST', `/v1/webhooks/${hook.id}/replay`, h.key.admin, { from: new Date(Date.now() + 60_000).toISOString() })).json()).toEqual({ replayed: 0, leads: 0 });
    expect((await call('POST', `/v1/webhooks/${hook.id}/replay`, h.key.admin, {})).json()).toEqual({ replayed: 1, leads: 10 });
    expect((await h.db.query('SELECT delivered, failed, pending FROM delivery_progress WHERE job_id = $1', [job])).rows).toEqual([{ delivered: 0, failed: 0, pending: 30 }]);
  });

  it('answers the same over gRPC: create, list, update, secret, replay, and NOT_FOUND for another tenant', async () => {
    const admin = h.clientAs('admin');
    const other = h.clientAs('otherAdmin');
    const unary = <T>(run: (done: (err: Error | null, res?: T) => void) => void) => new Promise<T>((ok, fail) => run((err, res) => (err ? fail(err) : ok(res!))));
    try {
      const made = await unary<{ webhook?: { id: string; mode: string; events: string[] }; secret: string }>((done) =>
        admin.createWebhook({ url: 'https://hooks.example.com/grpc', mode: 'batch', batchSize: 100, events: [], headers: { 'X-Env': 'test' }, description: '' }, done),
      );
      expect(made).toMatchObject({ secret: expect.stringMatching(SECRET), webhook: { mode: 'batch', events: ['lead.created', 'lead.updated', 'lead.suppressed', 'job.completed'] } });
      const id = made.webhook!.id;
      const updated = await unary<{ events: string[]; enabled: boolean }>((done) =>
        admin.updateWebhook({ id, events: { types: ['job.completed'] }, headers: undefined, enabled: false }, done),
      );
      expect([updated.events, updated.enabled]).toEqual([['job.completed'], false]);
      expect((await unary<{ webhooks: { id: string }[] }>((done) => admin.listWebhooks({}, done))).webhooks.map((w) => w.id)).toContain(id);
      expect((await unary<{ secret: string }>((done) => admin.getWebhookSecret({ id }, done))).secret).toBe(made.secret);
      expect(await unary((done) => admin.replayWebhook({ id, job: '', from: '', to: '', status: 'failed' }, done))).toEqual({ replayed: 0, leads: 0 });
      const refused = await unary((done) => other.getWebhook({ id }, done)).catch((err: { code: number; details: string }) => err);
      expect(refused).toMatchObject({ code: 5, details: expect.stringMatching(/^WEBHOOK_NOT_FOUND: /) });
      const bad = await unary((done) => admin.createWebhook({ url: 'https://hooks.example.com/x', mode: 'push', events: [], headers: {}, description: '' }, done)).catch(
        (err: { code: number; details: string }) => err,
      );
      expect(bad).toMatchObject({ code: 3, details: expect.stringMatching(/^INVALID_WEBHOOK: mode must be/) });
      await unary((done) => admin.deleteWebhook({ id }, done));
      expect((await unary<{ deliveries: unknown[]; next: string }>((done) => other.listDeliveries({ status: '', job: '', endpoint: '', limit: 0, after: '' }, done)))).toEqual({ deliveries: [], next: '' });
    } finally {
      admin.close();
      other.close();
    }
  });

  it('publishes the JSON Schema of each event type to a viewer, the same for every tenant; 404 EVENT_TYPE_NOT_FOUND for another type', async () => {
    for (const type of ['lead.created', 'lead.updated', 'lead.suppressed', 'job.completed']) {
      const res = await call('GET', `/v1/schemas/events/${type}`, h.key.viewer);
      expect(res.statusCode, type).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
      expect(res.json()).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: type, properties: { type: { const: type } } });
      expect((await call('GET', `/v1/schemas/events/${type}`, h.key.otherAdmin)).body, type).toBe(res.body);
    }
    const unknown = await call('GET', '/v1/schemas/events/lead.deleted', h.key.viewer);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'EVENT_TYPE_NOT_FOUND' });
    expect((await h.app.inject({ method: 'GET', url: '/v1/schemas/events/lead.created' })).statusCode).toBe(401);

    const viewer = h.clientAs('viewer');
    const unary = <T>(run: (done: (err: Error | null, res?: T) => void) => void) => new Promise<T>((ok, fail) => run((err, res) => (err ? fail(err) : ok(res!))));
    try {
      const rest = (await call('GET', '/v1/schemas/events/job.completed', h.key.viewer)).body;
      expect((await unary<{ json: string }>((done) => viewer.getEventSchema({ type: 'job.completed' }, done))).json).toBe(rest);
      const refused = await unary((done) => viewer.getEventSchema({ type: 'lead.deleted' }, done)).catch((err: { code: number; details: string }) => err);
      expect(refused).toMatchObject({ code: 5, details: expect.stringMatching(/^EVENT_TYPE_NOT_FOUND: /) });
    } finally {
      viewer.close();
    }
  });
});
