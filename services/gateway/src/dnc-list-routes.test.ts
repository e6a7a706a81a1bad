import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundRules } from '@leadflow/outbound';
import { LeadflowGatewayClient, type DncListLoad } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type DncRegistry, type SqlClient } from '@leadflow/stores';
import { bearer } from '@leadflow/testkit';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { buildRestApp, createGrpcServer, createJobService, createSqlApiKeyStore, createSqlJobStore, migrations, type UploadSink } from './index.js';

const sink: UploadSink = {
  open: () => ({ write: async () => {}, end: async () => {}, fail: async () => {} }),
  decide: async () => {},
};

describe('the Do-Not-Call list routes and RPCs', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  let dnc: DncRegistry;
  let grpc: ReturnType<typeof createGrpcServer>;
  let client: LeadflowGatewayClient;
  const key = { admin: '', viewer: '', otherAdmin: '', operator: '' };

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    const keys = createSqlApiKeyStore(db);
    key.admin = (await keys.create({ tenant: 'acme', role: 'admin' })).key;
    key.viewer = (await keys.create({ tenant: 'acme', role: 'viewer' })).key;
    key.otherAdmin = (await keys.create({ tenant: 'globex', role: 'admin' })).key;
    key.operator = (await keys.create({ tenant: 'ops', role: 'admin' })).key;
    dnc = createSqlDncRegistry(db);
    const service = createJobService({
      jobs: createSqlJobStore(db), exports: async function* () {}, uploads: sink, dnc, maxUploadBytes: 1000, watchIntervalMs: 20, outbound: createOutboundRules(), dncOperators: ['ops'],
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

  const put = (url: string, k: string, payload: string | Buffer, type = 'text/plain') => app.inject({ method: 'PUT', url, headers: { ...bearer(k), 'content-type': type }, payload });
  const lists = async (k: string) => (await app.inject({ method: 'GET', url: '/v1/dnc/lists', headers: bearer(k) })).json().lists as { list: string; size: number; snapshotDate: string; ageDays: number | null; shared: boolean }[];

  it("loads a tenant's internal list by its admins, seen by its own tenant only", async () => {
    const res = await put('/v1/dnc/lists/internal?snapshot=2026-11-30', key.admin, '(201) 555-0101\n2015550102\n');
    expect([res.statusCode, res.json()]).toEqual([200, expect.objectContaining({ list: 'internal', size: 2, numbers: 2, snapshotDate: '2026-11-30', badLines: 0, problems: [] })]);
    const changed = await app.inject({ method: 'POST', url: '/v1/dnc/lists/internal/changes', headers: { ...bearer(key.admin), 'content-type': 'text/plain' }, payload: '201,5550101,D\n201,5550103,A\n' });
    expect([changed.statusCode, changed.json().added, changed.json().removed, changed.json().size]).toEqual([200, 1, 1, 2]);
    expect((await lists(key.viewer)).find((l) => l.list === 'internal')).toMatchObject({ size: 2, shared: false });
    expect((await lists(key.otherAdmin)).some((l) => l.list === 'internal')).toBe(false);
    expect(kinds(await dnc.screen(['+12015550101', '+12015550103'], 'acme'))).toEqual([[], ['internal']]);
    expect(kinds(await dnc.screen(['+12015550103'], 'globex'))).toEqual([[]]);
  });

  it("loads a tenant's suppression lists of emails, domains and phones through the same routes, each entry with its expiry", async () => {
    const res = await put('/v1/dnc/lists/suppression:email', key.admin, 'email,expires\nAnn@X.org\nold@x.org,2020-01-01\nnot an address\n');
    expect([res.statusCode, res.json()]).toEqual([
      200,
      expect.objectContaining({ list: 'suppression:email', size: 2, numbers: 2, badLines: 1, problems: [{ file: 'body', line: 4, problem: 'no email in "not an address"' }] }),
    ]);
    expect((await put('/v1/dnc/lists/Suppression:Domain', key.admin, '@spam.example\n')).json()).toMatchObject({ list: 'suppression:domain', size: 1 });
    const changed = await app.inject({
      method: 'POST', url: '/v1/dnc/lists/suppression:phone/changes', headers: { ...bearer(key.admin), 'content-type': 'text/plain' }, payload: '(201) 555-0177,A,2099-01-01\n',
    });
    expect([changed.statusCode, changed.json().added]).toEqual([200, 1]);
    expect((await lists(key.viewer)).filter((l) => l.list.startsWith('suppression:')).map((l) => [l.list, l.size, l.shared])).toEqual([
      ['suppression:domain', 1, false], ['suppression:email', 2, false], ['suppression:phone', 1, false],
    ]);
    expect(kinds(await dnc.screen(['ann@x.org', 'old@x.org', 'spam.example', '+12015550177'], 'acme'))).toEqual([['suppression:email'], [], ['suppression:domain'], ['suppression:phone']]);
    expect(kinds(await dnc.screen(['ann@x.org', '+12015550177'], 'globex'))).toEqual([[], []]);
  });

  it("lets only an operator's admins load a shared list, every tenant reading it", async () => {
    const refused = await put('/v1/dnc/lists/national', key.admin, '2015550201\n');
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'FORBIDDEN']);
    const viewer = await put('/v1/dnc/lists/internal', key.viewer, '2015550201\n');
    expect([viewer.statusCode, viewer.json().code]).toEqual([403, 'FORBIDDEN']);
    const loaded = await put('/v1/dnc/lists/state:tx?snapshot=2026-11-01', key.operator, gzipSync('201,5550201\n201,5550202\n'), 'application/gzip');
    expect([loaded.statusCode, loaded.json().list, loaded.json().size]).toEqual([200, 'state:TX', 2]);
    for (const k of [key.viewer, key.otherAdmin]) {
      expect((await lists(k)).find((l) => l.list === 'state:TX')).toMatchObject({ size: 2, snapshotDate: '2026-11-01', shared: true, ageDays: expect.any(Number) });
    }
  });

  it('answers bad input with a clear code, naming the lines, the list in force kept', async () => {
    const cases: [string, string, number, string, RegExp][] = [
      ['/v1/dnc/lists/nope', '2015550101\n', 404, 'DNC_LIST_NOT_FOUND', /no list "nope"/],
      ['/v1/dnc/lists/internal?snapshot=2026-02-30', '2015550101\n', 400, 'INVALID_DNC_SNAPSHOT', /not a past date/],
      ['/v1/dnc/lists/internal?snapshot=2999-01-01', '2015550101\n', 400, 'INVALID_DNC_SNAPSHOT', /not a past date/],
      ['/v1/dnc/lists/internal', 'number\nhello\nworld\n', 400, 'DNC_IMPORT_INVALID', /no number was read.*line 2: holds no number/],
    ];
    for (const [url, body, status, code, message] of cases) {
      const res = await put(url, key.admin, body);
      expect([res.statusCode, res.json().code], url).toEqual([status, code]);
      expect(res.json().message, url).toMatch(message);
    }
    // A zip whose entry's sizes follow its data cannot be streamed: refused, saying what to do.
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 8, 0, 8, 0]), Buffer.alloc(16), Buffer.from([5, 0, 0, 0]), Buffer.from('a.txt'), Buffer.alloc(10)]);
    const streamed = await put('/v1/dnc/lists/internal', key.admin, zip, 'application/zip');
    expect([streamed.statusCode, streamed.json().code]).toEqual([400, 'DNC_IMPORT_INVALID']);
    expect(streamed.json().message).toMatch(/a.txt: its size is written after its data/);
    // Good lines of a change list are applied; the bad one is named.
    const mixed = await app.inject({ method: 'POST', url: '/v1/dnc/lists/internal/changes', headers: { ...bearer(key.admin), 'content-type': 'text/plain' }, payload: '2015550104,A\n2015550105\n' });
    expect([mixed.statusCode, mixed.json().added, mixed.json().problems]).toEqual([200, 1, [{ file: 'body', line: 2, problem: 'a change list line says A (added) or D (deleted) after the number' }]]);
    expect((await lists(key.admin)).find((l) => l.list === 'internal')!.size).toBe(3);
  });

  it('does the same over gRPC: ListDncLists, ReplaceDncList, ChangeDncList, and their error codes', async () => {
    const md = (k: string) => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${k}`);
      return m;
    };
    const load = (method: 'replaceDncList' | 'changeDncList', k: string, list: string, body: string) =>
      new Promise<{ res?: DncListLoad; err?: ServiceError }>((resolve) => {
        const call = client[method](md(k), (err, res) => resolve({ res: res ?? undefined, err: err ?? undefined }));
        call.write({ target: { list, snapshotDate: '2026-11-15' } });
        call.write({ chunk: Buffer.from(body) });
        call.end();
      });
    const replaced = await load('replaceDncList', key.otherAdmin, 'internal', '3125550301\n3125550302\n');
    expect(replaced.err?.details).toBeUndefined();
    expect(replaced.res).toMatchObject({ list: 'internal', size: 2, snapshotDate: '2026-11-15' });
    const changed = await load('changeDncList', key.otherAdmin, 'internal', '3125550301,D\n');
    expect(changed.res).toMatchObject({ removed: 1, size: 1 });
    const listed = await new Promise<{ list: string; size: number }[]>((resolve, reject) =>
      client.listDncLists({}, md(key.otherAdmin), (err, res) => (err ? reject(err) : resolve(res!.lists))),
    );
    expect(listed.find((l) => l.list === 'internal')).toMatchObject({ size: 1 });
    const unknown = await load('replaceDncList', key.otherAdmin, 'nope', '3125550301\n');
    expect([unknown.err?.code, unknown.err?.metadata.get('leadflow-error-code')[0]]).toEqual([5, 'DNC_LIST_NOT_FOUND']);
    const shared = await load('replaceDncList', key.otherAdmin, 'national', '3125550301\n');
    expect([shared.err?.code, shared.err?.metadata.get('leadflow-error-code')[0]]).toEqual([7, 'FORBIDDEN']);
  });
});

const kinds = (s: Awaited<ReturnType<DncRegistry['screen']>>) => s.on.map((l) => l.map((j) => s.lists[j]!.kind));
