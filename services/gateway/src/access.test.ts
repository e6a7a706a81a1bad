import { credentials } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundRules } from '@leadflow/outbound';
import { LeadflowGatewayClient, type WatchJobResponse } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer, withApiKey } from '@leadflow/testkit';
import { bearerKey } from './access.js';
import { newApiKey } from './api-key.js';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { buildRestApp, createGrpcServer, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations, type ApiKeyStore, type UploadSink } from './index.js';

const sink: UploadSink = {
  open: () => ({ write: async () => {}, end: async () => {}, fail: async () => {} }),
  decide: async () => {},
};

describe('who may call the REST API', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  let keys: ApiKeyStore;
  const metrics = createMetrics({ defaultMetrics: false });
  const limits = createConcurrencyLimit({ uploads: 1, streams: 1 });
  let grpc: ReturnType<typeof createGrpcServer>;
  const key = { admin: '', viewer: '', uploader: '', otherAdmin: '' };
  let jobId: string;

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    keys = createSqlApiKeyStore(db);
    key.admin = (await keys.create({ tenant: 'acme', role: 'admin', name: 'ops' })).key;
    key.viewer = (await keys.create({ tenant: 'acme', role: 'viewer' })).key;
    key.uploader = (await keys.create({ tenant: 'acme', role: 'uploader' })).key;
    key.otherAdmin = (await keys.create({ tenant: 'globex', role: 'admin' })).key;
    const service = createJobService({ jobs: createSqlJobStore(db), exports: async function* () {}, uploads: sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 1000, watchIntervalMs: 20, outbound: createOutboundRules() });
    const logger = createLogger({ name: 'test', level: 'silent' });
    app = await buildRestApp({ service, logger, maxUploadBytes: 1000, keys, authFailures: metrics.authFailures, limits });
    grpc = createGrpcServer({ service, logger, keys, authFailures: metrics.authFailures, limits });
    await grpc.listen(0, '127.0.0.1');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const form = new FormData();
    form.set('file', new Blob(['email\na@x.com\n']), 'a.csv');
    const created = await fetch(`${base()}/v1/jobs`, { method: 'POST', headers: bearer(key.uploader), body: form });
    jobId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await grpc.close(1000);
    await app.close();
    await db.close();
  });
  const base = () => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const failures = async (reason: string) => (await metrics.authFailures.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  const get = (path: string, authorization?: string) => app.inject({ method: 'GET', url: path, headers: authorization === undefined ? {} : { authorization } });

  it('reads a bearer key in any case of the scheme, and nothing else', () => {
    expect(bearerKey('Bearer lfk_x')).toBe('lfk_x');
    expect(bearerKey('bearer   lfk_x ')).toBe('lfk_x');
    expect(bearerKey('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerKey('Bearer a b')).toBeUndefined();
    expect(bearerKey(undefined)).toBeUndefined();
  });

  it('refuses each kind of bad key with 401, a message that says what was wrong, and a count by reason', async () => {
    const revoked = await keys.create({ tenant: 'acme', role: 'viewer' });
    await keys.revoke(revoked.prefix);
    const expired = await keys.create({ tenant: 'acme', role: 'viewer' });
    await db.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE prefix = $1", [expired.prefix]);
    const forged = `${key.admin.slice(0, 20)}${key.admin.slice(20).replace(/[a-z]/g, 'Q')}`;
    const cases: [string, string | undefined, RegExp][] = [
      ['missing', undefined, /needs an API key: send it as "Authorization: Bearer <key>"/],
      ['missing', 'Basic dXNlcjpwYXNz', /needs an API key/],
      ['malformed', 'Bearer not-a-key', /not one Leadflow made/],
      ['malformed', `Bearer ${forged}`, /not one Leadflow made/],
      // Well formed, its checksum right, but never stored (another installation's, say).
      ['unknown', `Bearer ${newApiKey().key}`, /not known here/],
      ['revoked', `Bearer ${revoked.key}`, /was revoked/],
      ['expired', `Bearer ${expired.key}`, /has expired/],
    ];
    for (const [reason, authorization, message] of cases) {
      const before = await failures(reason);
      const res = await get(`/v1/jobs/${jobId}`, authorization);
      expect([res.statusCode, res.json().code, res.headers['www-authenticate']], `${reason}: ${authorization}`).toEqual([401, 'UNAUTHENTICATED', 'Bearer realm="leadflow"']);
      expect(res.json().message).toMatch(message);
      expect(await failures(reason), reason).toBe(before + 1);
    }
  });

  it('lets each role do what it may, and answers 403 naming the role needed for the rest', async () => {
    expect((await get(`/v1/jobs/${jobId}`, `Bearer ${key.viewer}`)).statusCode).toBe(200);
    const before = await failures('forbidden');
    const policy = await app.inject({ method: 'PUT', url: '/v1/dedup/policy', headers: bearer(key.uploader), payload: { policy: { fuzzy: false } } });
    expect([policy.statusCode, policy.json()]).toEqual([403, { code: 'FORBIDDEN', message: 'an uploader key may not call PUT /v1/dedup/policy: it needs a key of role admin or above' }]);
    const upload = await app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...bearer(key.viewer), 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--\r\n' });
    expect([upload.statusCode, upload.json().code]).toEqual([403, 'FORBIDDEN']);
    expect(await failures('forbidden')).toBe(before + 2);
    // The probes and the API document need no key.
    for (const url of ['/healthz', '/readyz', '/docs/json']) expect((await get(url)).statusCode, url).toBe(200);
  });

  it('makes, lists, rotates and revokes keys of the caller\'s tenant only, for admins', async () => {
    const made = await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(key.admin), payload: { role: 'uploader', name: 'partner sync' } });
    expect(made.statusCode).toBe(201);
    const created = made.json();
    expect(created).toMatchObject({ tenant: 'acme', role: 'uploader', name: 'partner sync', revokedAt: null, expiresAt: null, key: expect.stringMatching(/^lfk_/) });
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    expect((await get(`/v1/jobs/${jobId}`, `Bearer ${created.key}`)).statusCode).toBe(200);

    const listed = (await get('/v1/keys', `Bearer ${key.admin}`)).json().keys as { prefix: string; tenant: string }[];
    expect(listed.map((k) => k.prefix)).toContain(created.prefix);
    expect(new Set(listed.map((k) => k.tenant))).toEqual(new Set(['acme']));
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect((await get('/v1/keys', `Bearer ${key.viewer}`)).statusCode).toBe(403);

    // Rotation: the new key works, and so does the old one until it is revoked.
    const rotated = (await app.inject({ method: 'POST', url: `/v1/keys/${created.prefix}/rotate`, headers: bearer(key.admin) })).json();
    expect(rotated).toMatchObject({ role: 'uploader', name: 'partner sync', rotatedFrom: created.prefix });
    for (const k of [created.key, rotated.key]) expect((await get(`/v1/jobs/${jobId}`, `Bearer ${k}`)).statusCode).toBe(200);

    // Another tenant cannot see or revoke it: not found, as a key that never was.
    const foreign = await app.inject({ method: 'DELETE', url: `/v1/keys/${created.prefix}`, headers: bearer(key.otherAdmin) });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'KEY_NOT_FOUND']);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/keys/${created.prefix}`, headers: bearer(key.admin) });
    expect([revoked.statusCode, revoked.json().revokedAt]).toEqual([200, expect.any(String)]);
    expect((await get(`/v1/jobs/${jobId}`, `Bearer ${created.key}`)).statusCode).toBe(401);
    expect((await get(`/v1/jobs/${jobId}`, `Bearer ${rotated.key}`)).statusCode).toBe(200);
    const again = await app.inject({ method: 'DELETE', url: `/v1/keys/${created.prefix}`, headers: bearer(key.admin) });
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
    const rotateRevoked = await app.inject({ method: 'POST', url: `/v1/keys/${created.prefix}/rotate`, headers: bearer(key.admin) });
    expect([rotateRevoked.statusCode, rotateRevoked.json().code]).toEqual([409, 'KEY_REVOKED']);
  });

  it('answers 429 with Retry-After to a tenant holding as many event streams as it may, over REST and gRPC alike', async () => {
    const open = new AbortController();
    const first = await fetch(`${base()}/v1/jobs/${jobId}/events`, { headers: bearer(key.viewer), signal: open.signal });
    expect(first.status).toBe(200);
    const reader = first.body!.getReader();
    await reader.read();
    const second = await fetch(`${base()}/v1/jobs/${jobId}/events`, { headers: bearer(key.admin) });
    expect([second.status, second.headers.get('retry-after'), ((await second.json()) as { code: string }).code]).toEqual([429, '5', 'TOO_MANY_REQUESTS']);
    // Another tenant is not held back by this one.
    expect(limits.held('globex', 'stream')).toBe(0);

    const client = new LeadflowGatewayClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure(), { interceptors: [withApiKey(key.viewer)] });
    const refused = await new Promise<{ code: number; pushback: unknown }>((resolve) => {
      const stream = client.watchJob({ id: jobId });
      stream.on('data', (_m: WatchJobResponse) => {});
      stream.on('error', (err: { code: number; metadata: { get(k: string): unknown[] } }) => resolve({ code: err.code, pushback: err.metadata.get('grpc-retry-pushback-ms')[0] }));
    });
    expect(refused).toEqual({ code: 8, pushback: '5000' });
    client.close();

    open.abort();
    await reader.cancel().catch(() => {});
    // The place is given back once the stream is closed.
    const deadline = Date.now() + 30_000;
    while (limits.held('acme', 'stream') > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(limits.held('acme', 'stream')).toBe(0);
  });
});
