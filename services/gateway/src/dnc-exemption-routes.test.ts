import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundRules } from '@leadflow/outbound';
import { LeadflowGatewayClient, type DncExemption } from '@leadflow/proto';
import { createPglite, createSqlDncExemptions, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { bearer } from '@leadflow/testkit';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { buildRestApp, createGrpcServer, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations, type UploadSink } from './index.js';

const sink: UploadSink = {
  open: () => ({ write: async () => {}, end: async () => {}, fail: async () => {} }),
  decide: async () => {},
};

describe('the Do-Not-Call exemption routes and RPCs', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  let grpc: ReturnType<typeof createGrpcServer>;
  let client: LeadflowGatewayClient;
  const key = { admin: '', viewer: '', otherAdmin: '' };

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    const keys = createSqlApiKeyStore(db);
    key.admin = (await keys.create({ tenant: 'acme', role: 'admin' })).key;
    key.viewer = (await keys.create({ tenant: 'acme', role: 'viewer' })).key;
    key.otherAdmin = (await keys.create({ tenant: 'globex', role: 'admin' })).key;
    const service = createJobService({
      jobs: createSqlJobStore(db), exports: async function* () {}, uploads: sink, dnc: createSqlDncRegistry(db), dncExemptions: createSqlDncExemptions(db),
      maxUploadBytes: 1000, watchIntervalMs: 20, outbound: createOutboundRules(),
    });
    const logger = createLogger({ name: 'test', level: 'silent' });
    const metrics = createMetrics({ defaultMetrics: false });
    const limits = createConcurrencyLimit({ uploads: 2, streams: 2 });
    app = await buildRestApp({ service, logger, maxUploadBytes: 1000, keys, authFailures: metrics.authFailures, limits });
    grpc = createGrpcServer({ service, logger, keys, authFailures: metrics.authFailures, limits });
    await grpc.listen(0, '127.0.0.1');
    client = new LeadflowGatewayClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await grpc.close(1000);
    await app.close();
    await db.close();
  });

  const post = (k: string, payload: unknown) => app.inject({ method: 'POST', url: '/v1/dnc/exemptions', headers: bearer(k), payload: payload as object });
  const find = (k: string, q: string) => app.inject({ method: 'GET', url: `/v1/dnc/exemptions?${q}`, headers: bearer(k) });

  it('records an exemption with its evidence (201), finds it by phone or email, revokes it, and keeps each tenant to its own', async () => {
    const made = await post(key.admin, { phone: '(201) 555-0101', kind: 'ebr_purchase', date: '2026-05-01', evidence: { url: 'https://shop.example/order/7', text: 'order 7' } });
    expect(made.statusCode).toBe(201);
    const e = made.json();
    expect(e).toMatchObject({ phone: '+12015550101', email: '', kind: 'ebr_purchase', date: '2026-05-01', until: '2027-11-01', evidence: { url: 'https://shop.example/order/7', text: 'order 7' }, revokedAt: '' });
    const byEmail = await post(key.admin, { email: 'Ann@X.org', kind: 'consent', date: '2026-01-02', evidence: { text: 'I agree to be called' } });
    expect(byEmail.json()).toMatchObject({ email: 'ann@x.org', until: '' });

    expect((await find(key.viewer, 'phone=2015550101')).json().exemptions.map((x: { id: string }) => x.id)).toEqual([e.id]);
    expect((await find(key.viewer, 'email=ann%40x.org')).json().exemptions).toHaveLength(1);
    expect((await find(key.otherAdmin, 'phone=2015550101')).json().exemptions).toEqual([]);
    const foreign = await app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(key.otherAdmin) });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'DNC_EXEMPTION_NOT_FOUND']);
    const viewer = await app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(key.viewer) });
    expect([viewer.statusCode, viewer.json().code]).toEqual([403, 'FORBIDDEN']);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(key.admin) });
    expect([revoked.statusCode, revoked.json()]).toEqual([200, { id: e.id, revoked: true }]);
    expect((await find(key.viewer, 'phone=%2B12015550101')).json().exemptions[0].revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = await app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(key.admin) });
    expect(again.statusCode).toBe(404);
  });

  it.each([
    ['neither phone nor email', { kind: 'consent', date: '2026-01-01' }, /give the phone or the email/],
    ['both', { phone: '2015550101', email: 'a@x.org', kind: 'consent', date: '2026-01-01' }, /not both/],
    ['a bad phone', { phone: 'call me', kind: 'consent', date: '2026-01-01' }, /not a valid number/],
    ['an unknown kind', { phone: '2015550101', kind: 'friendship', date: '2026-01-01' }, /"kind": "ebr_purchase"/],
    ['a date to come', { phone: '2015550101', kind: 'consent', date: '2999-01-01' }, /not to come/],
    ['no real day', { phone: '2015550101', kind: 'consent', date: '2026-02-30' }, /YYYY-MM-DD/],
    ['an evidence URL that is none', { phone: '2015550101', kind: 'consent', date: '2026-01-01', evidence: { url: 'javascript:alert(1)' } }, /http\(s\) URL/],
  ])('refuses %s with 400 INVALID_DNC_EXEMPTION', async (_what, body, message) => {
    const res = await post(key.admin, body);
    expect([res.statusCode, res.json().code]).toEqual([400, 'INVALID_DNC_EXEMPTION']);
    expect(res.json().message).toMatch(message);
  });

  it('does the same over gRPC: AddDncExemption, ListDncExemptions, RevokeDncExemption, and their error codes', async () => {
    const md = (k: string) => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${k}`);
      return m;
    };
    const call = <T>(run: (done: (err: ServiceError | null, res?: T) => void) => void) =>
      new Promise<{ res?: T; err?: ServiceError }>((resolve) => run((err, res) => resolve({ res: res ?? undefined, err: err ?? undefined })));
    const added = await call<DncExemption>((done) =>
      client.addDncExemption({ phone: '3125550301', email: '', kind: 'ebr_inquiry', date: '2026-11-30', evidence: { url: '', text: 'asked for a quote' } }, md(key.otherAdmin), done),
    );
    expect(added.res).toMatchObject({ phone: '+13125550301', kind: 'ebr_inquiry', until: '2027-02-28', evidence: { text: 'asked for a quote' } });
    const listed = await call<{ exemptions: DncExemption[] }>((done) => client.listDncExemptions({ phone: '+13125550301', email: '' }, md(key.otherAdmin), done));
    expect(listed.res!.exemptions.map((x) => x.id)).toEqual([added.res!.id]);
    const foreign = await call((done) => client.revokeDncExemption({ id: added.res!.id }, md(key.admin), done));
    expect([foreign.err?.code, foreign.err?.metadata.get('leadflow-error-code')[0]]).toEqual([5, 'DNC_EXEMPTION_NOT_FOUND']);
    const revoked = await call((done) => client.revokeDncExemption({ id: added.res!.id }, md(key.otherAdmin), done));
    expect(revoked.res).toEqual({ id: added.res!.id, revoked: true });
    const bad = await call((done) => client.addDncExemption({ phone: '', email: '', kind: 'consent', date: '2026-01-01', evidence: undefined }, md(key.otherAdmin), done));
    expect([bad.err?.code, bad.err?.metadata.get('leadflow-error-code')[0]]).toEqual([3, 'INVALID_DNC_EXEMPTION']);
  });
});
