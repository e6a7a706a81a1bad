import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundFetch, createOutboundRules } from '@leadflow/outbound';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys, SecretsError, type Keyring } from '@leadflow/secrets';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, runNode, startWebhookReceiver, waitUntil, type ReceivedRequest, type WebhookReceiver } from '@leadflow/testkit';
import { Webhook } from 'standardwebhooks';
import {
  createDispatcher, createMemoryTokenBuckets, createOutboxStage, createOutboxStore, createSqlDeliveryStore, createSqlEndpointStore, migrations, sealEndpointSecrets,
} from './index.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const K1 = newKeyEntry('k1');
const K2 = newKeyEntry('k2');
const ring = (...entries: string[]): Keyring => createKeyring(parseSecretKeys(entries.join(',')), 'LEADFLOW_SECRET_KEYS');
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Checks the Standard Webhooks signature as a receiver does, with its reference library and its copy of the secret. */
function signedWith(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

function acceptedBatch(tenantId: string, rows: number): LeadBatch {
  const jobId = randomUUID();
  return {
    job: { jobId, tenantId, supplier: 'acme', webhookUrl: '', fileName: 'leads.csv', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last: true, totalRows: rows, failure: undefined,
    rows: Array.from({ length: rows }, (_, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), email: `r${i + 1}@example.com` }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

describe('webhook secrets sealed at rest, on PostgreSQL', () => {
  // A database of this file's own: sealing at start reads every endpoint, whoever wrote it.
  const database = `leadflow_secrets_${randomBytes(4).toString('hex')}`;
  let admin: SqlClient;
  let db: SqlClient;
  let databaseUrl: string;
  let receiver: WebhookReceiver;
  const fetch = createOutboundFetch(createOutboundRules({ allowCidrs: ['127.0.0.0/8'], allowHttp: true }));
  const logLines: string[] = [];
  const logger = createLogger({
    name: 'delivery-test',
    level: 'trace',
    destination: new Writable({ write: (chunk, _enc, done) => void (logLines.push(String(chunk)), done()) }),
  });

  beforeAll(async () => {
    admin = createPostgres({ url: infraEnv().DATABASE_URL });
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(infraEnv().DATABASE_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    db = createPostgres({ url: databaseUrl });
    await migrate(db, migrations);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await fetch.close();
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.close();
  });
  beforeEach(async () => {
    await db.query('TRUNCATE webhook_endpoints, deliveries, delivery_events, delivery_progress CASCADE');
    receiver.requests.length = 0;
    logLines.length = 0;
  });

  const metrics = createMetrics({ defaultMetrics: false });
  /** Writes the batch's events, then sends them with one attempt each, as a delivery replica with that keyring does. */
  const deliver = async (keyring: Keyring, batch: LeadBatch) => {
    await createOutboxStage({ db, logger, metrics })(batch);
    const dispatcher = createDispatcher({ store: createOutboxStore(db), keyring, buckets: createMemoryTokenBuckets(), fetch, logger, metrics, schedule: [0], pollMs: 20 });
    await dispatcher.start();
    try {
      await waitUntil('the events sent', async () => {
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM delivery_events WHERE job_id = $1 AND status = 'pending'", [batch.job!.jobId]);
        return rows[0]!.n === 0 ? true : undefined;
      });
    } finally {
      await dispatcher.stop();
    }
  };
  const stored = async (id: string) =>
    (await db.query<{ secret: string | null; secret_sealed: string | null; whole: string }>(
      'SELECT secret, secret_sealed, row_to_json(w)::text AS whole FROM webhook_endpoints w WHERE id = $1',
      [id],
    )).rows[0]!;
  const deliveries = async (jobId: string) =>
    (await db.query<{ status: string; attempts: number; error: string | null }>(
      'SELECT status, attempts, last_error AS error FROM delivery_events WHERE job_id = $1 ORDER BY url, id',
      [jobId],
    )).rows;

  it('keeps a saved secret only sealed, and signs deliveries that verify with the secret', async () => {
    const secret = newSecret();
    const tenant = 'acme';
    const id = await createSqlEndpointStore(db, ring(K1)).save({ tenantId: tenant, url: receiver.url, secret });

    const row = await stored(id);
    expect(row.secret).toBeNull();
    expect(row.secret_sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{40,}$/);
    expect(row.whole).not.toContain(secret);
    expect(row.whole).not.toContain(secret.slice(6, 20));

    const batch = acceptedBatch(tenant, 2);
    await deliver(ring(K1), batch);
    expect(receiver.requests).toHaveLength(1);
    expect(signedWith(secret, receiver.requests[0]!)).toBe(true);
    expect(signedWith(newSecret(), receiver.requests[0]!)).toBe(false);
    expect(JSON.parse(receiver.requests[0]!.body).data.leads.map((l: { email: string }) => l.email)).toEqual(['r1@example.com', 'r2@example.com']);
    expect(await deliveries(batch.job!.jobId)).toEqual([{ status: 'delivered', attempts: 1, error: null }]);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toEqual({ delivered: 2, failed: 0 });
    for (const line of logLines) expect(line).not.toContain(secret);
  });

  it('seals at start the plain-text secrets written before sealing, and they still sign', async () => {
    const secret = newSecret();
    const id = randomUUID();
    // As an earlier version, or an operator by hand, wrote them.
    await db.query('INSERT INTO webhook_endpoints (id, tenant_id, url, secret) VALUES ($1, $2, $3, $4)', [id, 'legacy', receiver.url, secret]);
    await db.query('INSERT INTO webhook_endpoints (id, tenant_id, url, secret) VALUES ($1, $2, $3, NULL)', [randomUUID(), 'unsigned', receiver.url]);

    expect(await sealEndpointSecrets(createSqlEndpointStore(db, ring(K1)), logger)).toEqual({ sealed: 1, resealed: 0, unreadable: 0 });
    const row = await stored(id);
    expect(row.secret).toBeNull();
    expect(row.secret_sealed).toMatch(/^v1\.k1\./);
    expect(row.whole).not.toContain(secret);
    // A second start finds nothing left to do.
    expect(await createSqlEndpointStore(db, ring(K1)).sealAtRest()).toEqual({ sealed: 0, resealed: 0, unreadable: 0 });

    await deliver(ring(K1), acceptedBatch('legacy', 1));
    expect(receiver.requests).toHaveLength(1);
    expect(signedWith(secret, receiver.requests[0]!)).toBe(true);
    for (const line of logLines) expect(line).not.toContain(secret);
  });

  it('signs with a plain-text secret written after start, and seals it at the next start', async () => {
    const secret = newSecret();
    const id = randomUUID();
    await db.query('INSERT INTO webhook_endpoints (id, tenant_id, url, secret) VALUES ($1, $2, $3, $4)', [id, 'late', receiver.url, secret]);
    await deliver(ring(K1), acceptedBatch('late', 1));
    expect(signedWith(secret, receiver.requests[0]!)).toBe(true);
    await sealEndpointSecrets(createSqlEndpointStore(db, ring(K1)), logger);
    expect((await stored(id)).whole).not.toContain(secret);
    expect((await stored(id)).secret_sealed).toMatch(/^v1\.k1\./);
  });

  it('refuses a sealed value copied to another endpoint: nothing is sent there, and the delivery says why', async () => {
    const store = createSqlEndpointStore(db, ring(K1));
    const original = await store.save({ tenantId: 'owner', url: receiver.url, secret: newSecret() });
    const copy = await store.save({ tenantId: 'thief', url: receiver.url, secret: null });
    const { secret_sealed: sealed } = await stored(original);
    await db.query('UPDATE webhook_endpoints SET secret_sealed = $2 WHERE id = $1', [copy, sealed]);

    const batch = acceptedBatch('thief', 2);
    await deliver(ring(K1), batch);
    expect(receiver.requests).toHaveLength(0);
    const why = `SECRET_UNREADABLE: the secret of webhook_endpoints.secret_sealed/${copy} does not open with key k1: it was altered or copied from another record, or LEADFLOW_SECRET_KEYS holds another key under the id k1`;
    expect(await deliveries(batch.job!.jobId)).toEqual([{ status: 'failed', attempts: 1, error: why }]);
    expect(await createSqlDeliveryStore(db).jobOutcome(batch.job!.jobId)).toEqual({ delivered: 0, failed: 2, error: `${why} after 1 attempt` });
    expect(logLines.join('')).toContain('SECRET_UNREADABLE');
    for (const line of logLines) expect(line).not.toContain(sealed!);
  });

  it('after a rotation seals again with the new key at start, so the old key can go', async () => {
    const secrets = [newSecret(), newSecret()];
    const ids = [];
    for (const [i, secret] of secrets.entries()) ids.push(await createSqlEndpointStore(db, ring(K1)).save({ tenantId: 'rotating', url: `${receiver.url}?n=${i}`, secret }));

    expect(await sealEndpointSecrets(createSqlEndpointStore(db, ring(K2, K1)), logger)).toEqual({ sealed: 0, resealed: 2, unreadable: 0 });
    for (const id of ids) expect((await stored(id)).secret_sealed).toMatch(/^v1\.k2\./);

    // The old key removed: everything still opens and signs.
    await deliver(ring(K2), acceptedBatch('rotating', 1));
    expect(receiver.requests).toHaveLength(2);
    for (const request of receiver.requests) expect(signedWith(secrets[Number(request.path.slice(-1))]!, request)).toBe(true);

    // A replica still on the old key alone names the key it lacks, and sends nothing.
    const batch = acceptedBatch('rotating', 1);
    await deliver(ring(K1), batch);
    expect(receiver.requests).toHaveLength(2);
    expect((await deliveries(batch.job!.jobId)).map((d) => d.error).sort()).toEqual(
      ids.map((id) => `SECRET_KEY_MISSING: the secret of webhook_endpoints.secret_sealed/${id} is sealed with key k2, which LEADFLOW_SECRET_KEYS does not hold: add it back`).sort(),
    );
  });

  it('refuses to start when secrets are sealed with a key it does not hold, naming the key', async () => {
    const store = createSqlEndpointStore(db, ring(K1));
    for (const tenant of ['a', 'b']) await store.save({ tenantId: tenant, url: receiver.url, secret: newSecret() });
    const err = await createSqlEndpointStore(db, ring(K2)).sealAtRest().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretsError);
    expect((err as SecretsError).code).toBe('SECRET_KEY_MISSING');
    expect((err as SecretsError).message).toBe('webhook_endpoints holds 2 secrets sealed with key k1, which LEADFLOW_SECRET_KEYS does not hold: add it back');
  });

  it('the delivery service stops at start without LEADFLOW_SECRET_KEYS, or without a key in use, saying which', async () => {
    const secret = newSecret();
    await createSqlEndpointStore(db, ring(K1)).save({ tenantId: 'svc', url: receiver.url, secret });
    const env = { KAFKA_BROKERS: infraEnv().KAFKA_BROKERS, DATABASE_URL: databaseUrl, REDIS_URL: infraEnv().REDIS_URL, METRICS_PORT: String(await freePort()), LOG_LEVEL: 'info' };

    const unset = await runNode(MAIN, [], { env: { ...env, LEADFLOW_SECRET_KEYS: '' }, timeoutMs: 60_000 });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('\n  - LEADFLOW_SECRET_KEYS is required (keys that seal webhook secrets at rest');
    expect(unset.stderr).toContain('make one with: openssl rand -base64 32');

    const lacking = await runNode(MAIN, [], { env: { ...env, LEADFLOW_SECRET_KEYS: K2 }, timeoutMs: 60_000 });
    expect(lacking.code).toBe(1);
    const output = lacking.stdout + lacking.stderr;
    expect(output).toContain('webhook_endpoints holds 1 secret sealed with key k1, which LEADFLOW_SECRET_KEYS does not hold: add it back');
    for (const never of [secret, K2.slice(3), K1.slice(3)]) expect(output).not.toContain(never);
  });
});
