import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundFetch, createOutboundRules } from '@leadflow/outbound';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { infraEnv, startWebhookReceiver, waitUntil, type WebhookReceiver } from '@leadflow/testkit';
import { Webhook } from 'standardwebhooks';
import {
  createDispatcher, createEndpointAdmin, createMemoryTokenBuckets, createOutboxStage, createOutboxStore, createSqlDeliveryStore, createSqlEndpointStore,
  defaultSecretContext, migrations, type Dispatcher,
} from './index.js';

const keyring = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'LEADFLOW_SECRET_KEYS');
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

function batchOf(tenantId: string, rows: number, webhookUrl = '', jobId: string = randomUUID(), from = 1): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: 'acme', webhookUrl, fileName: 'leads.csv', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last: false, totalRows: rows, failure: undefined,
    rows: Array.from({ length: rows }, (_, i) => ({
      rowNumber: from + i, lead: { ...emptyLead(), email: `r${from + i}@example.com` }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, from + i),
    })),
  };
}

describe('the outbox and its dispatcher, on PostgreSQL', () => {
  const database = `leadflow_outbox_${randomBytes(4).toString('hex')}`;
  let admin: SqlClient;
  let db: SqlClient;
  let receiver: WebhookReceiver;
  const fetch = createOutboundFetch(createOutboundRules({ allowCidrs: ['127.0.0.0/8'], allowHttp: true }));
  const logger = createLogger({ name: 'outbox-test', level: process.env.OUTBOX_TEST_LOG ?? 'silent' });
  const metrics = createMetrics({ defaultMetrics: false });
  const dispatchers: Dispatcher[] = [];

  beforeAll(async () => {
    admin = createPostgres({ url: infraEnv().DATABASE_URL });
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(infraEnv().DATABASE_URL);
    url.pathname = `/${database}`;
    db = createPostgres({ url: url.toString() });
    await migrate(db, migrations);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    await receiver?.close();
    await fetch.close();
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.close();
  });

  const write = (batch: LeadBatch) => createOutboxStage({ db, logger, metrics, endpointsForMs: 0 })(batch);
  const dispatch = async (schedule: number[], extra: { circuitFailures?: number; circuitOpenMs?: number; concurrency?: number } = {}) => {
    const d = createDispatcher({ store: createOutboxStore(db), keyring, buckets: createMemoryTokenBuckets(), fetch, logger, metrics, schedule, pollMs: 20, ...extra });
    dispatchers.push(d);
    await d.start();
    return d;
  };
  const stop = async (d: Dispatcher) => {
    await d.stop();
    dispatchers.splice(dispatchers.indexOf(d), 1);
  };
  const settled = (jobId: string) =>
    waitUntil('no event of the job pending', async () => {
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM delivery_events WHERE job_id = $1 AND status = 'pending'", [jobId]);
      return rows[0]!.n === 0 ? true : undefined;
    }, { timeoutMs: 60_000 });
  const toJob = (jobId: string) => receiver.requests.filter((r) => JSON.parse(r.body).data.jobId === jobId);

  it('sends one signed request per lead to a record endpoint, verifiable with standardwebhooks, and writes a batch consumed twice once', async () => {
    const secret = newSecret();
    const id = await createSqlEndpointStore(db, keyring).save({ tenantId: 'rec', url: receiver.url, secret });
    await db.query("UPDATE webhook_endpoints SET mode = 'record', headers = '{\"x-team\": \"sales\", \"webhook-id\": \"forged\"}' WHERE id = $1", [id]);
    const batch = batchOf('rec', 3);
    await write(batch);
    await write(batch);
    expect((await db.query('SELECT * FROM delivery_events WHERE job_id = $1', [batch.job!.jobId])).rows).toHaveLength(3);
    expect((await db.query('SELECT pending FROM delivery_progress WHERE job_id = $1', [batch.job!.jobId])).rows[0]).toEqual({ pending: 3 });
    const d = await dispatch([0]);
    await settled(batch.job!.jobId);
    await stop(d);
    const got = toJob(batch.job!.jobId);
    expect(got).toHaveLength(3);
    const wh = new Webhook(secret);
    for (const r of got) {
      const verified = wh.verify(r.body, r.headers as Record<string, string>) as { type: string; data: { email: string } };
      expect(verified.type).toBe('lead.created');
      expect(r.headers['x-team']).toBe('sales');
      expect(r.headers['webhook-id']).toMatch(/^msg_/);
    }
    expect(got.map((r) => JSON.parse(r.body).data.email).sort()).toEqual(['r1@example.com', 'r2@example.com', 'r3@example.com']);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(3);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toEqual({ delivered: 3, failed: 0 });
    const attempts = await db.query('SELECT a.http_status FROM delivery_attempts a JOIN delivery_events e ON e.id = a.event_id WHERE e.job_id = $1', [batch.job!.jobId]);
    expect(attempts.rows).toEqual([{ http_status: 200 }, { http_status: 200 }, { http_status: 200 }]);
  });

  it("signs a job's own webhook URL with the tenant's default secret, made and sealed on first need", async () => {
    const url = `${receiver.url}?own`;
    const batch = batchOf('own', 4, url);
    await write(batch);
    const d = await dispatch([0]);
    await settled(batch.job!.jobId);
    await stop(d);
    const { rows } = await db.query<{ s: string }>("SELECT secret_sealed AS s FROM webhook_default_secrets WHERE tenant_id = 'own'");
    const secret = keyring.open(rows[0]!.s, defaultSecretContext('own'));
    expect(secret).toMatch(/^whsec_/);
    const got = toJob(batch.job!.jobId);
    expect(got).toHaveLength(1);
    const verified = new Webhook(secret).verify(got[0]!.body, got[0]!.headers as Record<string, string>) as { data: { leads: unknown[] } };
    expect(verified.data.leads).toHaveLength(4);
  });

  it('signs with the default secret rotated over the API, and with the one before for a day', async () => {
    const admin = createEndpointAdmin(db, keyring);
    const before = (await admin.defaultSecret('turn')).secret;
    const url = `${receiver.url}?turn`;
    const first = batchOf('turn', 2, url);
    await write(first);
    let d = await dispatch([0]);
    await settled(first.job!.jobId);
    await stop(d);
    const rotated = await admin.rotateDefaultSecret('turn');
    expect([rotated.previousSecret, rotated.secret === before]).toEqual([before, false]);

    const second = batchOf('turn', 2, url);
    await write(second);
    d = await dispatch([0]);
    await settled(second.job!.jobId);
    await stop(d);
    const [sent] = toJob(second.job!.jobId);
    const headers = sent!.headers as Record<string, string>;
    // Both signatures, each verifiable on its own: a receiver changes its secret at its own pace.
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.secret).verify(sent!.body, headers)).not.toThrow();
    expect(() => new Webhook(before).verify(sent!.body, headers)).not.toThrow();
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(sent!.body, headers)).toThrow();
  });

  it('retries a failing and throttling receiver (Retry-After honoured) with the same webhook-id until it comes back', async () => {
    const url = `${receiver.url}?flaky`;
    const batch = batchOf('flaky', 2, url);
    let n = 0;
    const seen: number[] = [];
    receiver.respondWith((r) => {
      if (!r.path.endsWith('?flaky')) return 200;
      seen.push(Date.now());
      n++;
      if (n === 1) return 500;
      if (n === 2) return { status: 429, headers: { 'retry-after': '1' } };
      return 200;
    });
    await write(batch);
    const d = await dispatch([0, 10, 10, 10, 10]);
    await settled(batch.job!.jobId);
    await stop(d);
    receiver.respondWith(200);
    const got = toJob(batch.job!.jobId);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // The retry after the 429 waited the second it asked for, not the schedule's 10 ms.
    expect(seen[2]! - seen[1]!).toBeGreaterThanOrEqual(950);
    const { rows } = await db.query<{ attempt: number; http_status: number }>(
      'SELECT a.attempt, a.http_status FROM delivery_attempts a JOIN delivery_events e ON e.id = a.event_id WHERE e.job_id = $1 ORDER BY attempt',
      [batch.job!.jobId],
    );
    expect(rows).toEqual([{ attempt: 1, http_status: 500 }, { attempt: 2, http_status: 429 }, { attempt: 3, http_status: 200 }]);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toEqual({ delivered: 2, failed: 0 });
  });

  it('fails an event after its last attempt with its last error', async () => {
    const url = `${receiver.url}?down`;
    receiver.respondWith((r) => (r.path.endsWith('?down') ? 503 : 200));
    const batch = batchOf('down', 3, url);
    await write(batch);
    const d = await dispatch([0, 10, 10]);
    await settled(batch.job!.jobId);
    await stop(d);
    receiver.respondWith(200);
    expect(toJob(batch.job!.jobId)).toHaveLength(3);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toEqual({ delivered: 0, failed: 3, error: 'HTTP 503 after 3 attempts' });
  });

  it('disables an endpoint that answers 410 Gone and fails its pending events', async () => {
    const id = await createSqlEndpointStore(db, keyring).save({ tenantId: 'gone', url: `${receiver.url}?gone`, secret: newSecret() });
    await db.query("UPDATE webhook_endpoints SET mode = 'record' WHERE id = $1", [id]);
    receiver.respondWith((r) => (r.path.endsWith('?gone') ? 410 : 200));
    const batch = batchOf('gone', 60);
    await write(batch);
    const d = await dispatch([0, 10, 10], { concurrency: 4 });
    await settled(batch.job!.jobId);
    await stop(d);
    receiver.respondWith(200);
    const { rows } = await db.query<{ active: boolean; disabled_reason: string }>('SELECT active, disabled_reason FROM webhook_endpoints WHERE id = $1', [id]);
    expect(rows[0]!.active).toBe(false);
    expect(rows[0]!.disabled_reason).toMatch(/410 Gone/);
    // The requests in flight when the first 410 came back, not the 60.
    expect(toJob(batch.job!.jobId).length).toBeLessThanOrEqual(8);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toMatchObject({ delivered: 0, failed: 60 });
  });

  it('opens the circuit of an endpoint after consecutive failures: only a probe goes through until one succeeds', async () => {
    const id = await createSqlEndpointStore(db, keyring).save({ tenantId: 'circuit', url: `${receiver.url}?circuit`, secret: newSecret() });
    await db.query("UPDATE webhook_endpoints SET mode = 'record' WHERE id = $1", [id]);
    let down = true;
    receiver.respondWith((r) => (r.path.endsWith('?circuit') ? (down ? 500 : 200) : 200));
    const batch = batchOf('circuit', 20);
    await write(batch);
    const d = await dispatch([0, 10, 10, 10, 10, 10, 10, 10, 10, 10], { circuitFailures: 3, circuitOpenMs: 1000 });
    await waitUntil('the circuit open', async () => {
      const { rows } = await db.query<{ open: boolean }>('SELECT circuit_open_until IS NOT NULL AS open FROM webhook_endpoints WHERE id = $1', [id]);
      return rows[0]!.open ? true : undefined;
    });
    const atOpen = toJob(batch.job!.jobId).length;
    // Within the open second nothing but what was already in flight arrives.
    await new Promise((r) => setTimeout(r, 500));
    expect(toJob(batch.job!.jobId).length - atOpen).toBeLessThanOrEqual(32);
    down = false;
    await settled(batch.job!.jobId);
    await stop(d);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toEqual({ delivered: 20, failed: 0 });
    const { rows } = await db.query('SELECT consecutive_failures, circuit_open_until FROM webhook_endpoints WHERE id = $1', [id]);
    expect(rows[0]).toEqual({ consecutive_failures: 0, circuit_open_until: null });
  });

  it("keeps an endpoint's rate, shared by two dispatchers, and sends every event once though two dispatchers race", async () => {
    const id = await createSqlEndpointStore(db, keyring).save({ tenantId: 'rate', url: `${receiver.url}?rate`, secret: newSecret() });
    await db.query("UPDATE webhook_endpoints SET mode = 'record', per_second = 10 WHERE id = $1", [id]);
    const batch = batchOf('rate', 20);
    await write(batch);
    const buckets = createMemoryTokenBuckets();
    const two = [0, 1].map(() => createDispatcher({ store: createOutboxStore(db), keyring, buckets, fetch, logger, metrics, schedule: [0, 10], pollMs: 20 }));
    for (const d of two) {
      dispatchers.push(d);
      await d.start();
    }
    const t0 = Date.now();
    await settled(batch.job!.jobId);
    const took = Date.now() - t0;
    for (const d of two) await stop(d);
    const got = toJob(batch.job!.jobId);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(20);
    expect(got).toHaveLength(20);
    // 20 requests at 10 a second, after a first burst of 2: at least 1.8 s.
    expect(took).toBeGreaterThanOrEqual(1700);
  });
});
