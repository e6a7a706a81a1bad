import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { bearer } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './api-key-store.js';
import { ERROR_CATALOGUE } from './error-catalogue.js';
import { migrations } from './index.js';
import type { JobService } from './job-service.js';
import { buildRestApp } from './rest-app.js';
import { serverRoutes } from './route-list.js';

describe('the API document at /docs/json', () => {
  let app: FastifyInstance;
  let db: SqlClient;
  let key: string;
  /** Every call the routes make on the service: a request refused by its schema must make none. */
  const calls: string[] = [];
  beforeAll(async () => {
    const service = new Proxy({} as JobService, {
      get: (_t, name) => (...args: unknown[]) => {
        calls.push(String(name));
        throw new Error(`service.${String(name)}(${args.length} args) called`);
      },
    });
    db = await createPglite();
    await migrate(db, migrations);
    const keys = createSqlApiKeyStore(db);
    key = (await keys.create({ tenant: 't1', role: 'admin' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), metrics: createMetrics(), maxUploadBytes: 1000, keys });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('is a valid OpenAPI 3.1 document that lists every route the server has, each with its schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect([result.valid, validator.version]).toEqual([true, '3.1']);

    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // The documentation's own routes (the page, its assets, the document) are not part of the API.
    expect(documented.sort()).toEqual(serverRoutes(app).filter((r) => !r.split(' ')[1]!.startsWith('/docs')));
    expect(documented.length).toBe(70);
    // Every route takes an API key as a bearer token, but the probes and metrics, which say they need none.
    expect(doc.components.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    const open = documented.filter((r) => doc.paths[r.split(' ')[1]!][r.split(' ')[0]!.toLowerCase()].security?.length === 0);
    expect(open.sort()).toEqual(['GET /healthz', 'GET /metrics', 'GET /readyz']);

    const op = (method: string, path: string) => doc.paths[path][method];
    expect(op('get', '/v1/jobs/{id}').parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true, schema: expect.objectContaining({ pattern: expect.any(String) }) })]);
    expect(op('get', '/v1/possible-duplicates').parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['query:status', 'query:limit', 'query:after']);
    expect(op('post', '/v1/possible-duplicates/{leadId}').requestBody.content['application/json'].schema.properties.decision.enum).toEqual(['duplicate', 'distinct']);
    expect(Object.keys(op('post', '/v1/dnc/numbers').requestBody.content).sort()).toEqual(['application/json', 'text/plain']);
    expect(Object.keys(op('post', '/v1/jobs').requestBody.content['multipart/form-data'].schema.properties)).toContain('file');
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
      if (['/healthz', '/readyz', '/metrics'].includes(path)) continue;
      for (const [method, o] of Object.entries(ops)) expect(o.responses['4XX'], `${method} ${path}`).toEqual({ description: expect.any(String), content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    }
  });

  it('lists every code of the error catalogue as the codes of its Error schema', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.components.schemas.Error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    expect(doc.components.schemas.Error.required).toEqual(['code', 'message']);
  });

  it('serves a browsable page at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(res.body).toMatch(/swagger-ui/i);
    const redirect = await app.inject({ method: 'GET', url: '/docs' });
    expect(redirect.statusCode).toBeLessThan(400);
  });

  it.each([
    ['a query parameter value it does not take', { method: 'GET', url: '/v1/possible-duplicates?status=closed' }, 'INVALID_QUERY', 'status must be one of open, duplicate, distinct, not "closed"'],
    ['a query parameter of the wrong type', { method: 'GET', url: '/v1/possible-duplicates?limit=ten' }, 'INVALID_QUERY', 'limit must be a whole number from 1 to 1000'],
    ['a query parameter it does not take', { method: 'GET', url: '/v1/possible-duplicates?limt=5' }, 'INVALID_QUERY', 'limt is not a query parameter this route takes: use status, limit, after'],
    ['a job id that is no UUID', { method: 'GET', url: '/v1/jobs/job-42' }, 'INVALID_REQUEST', 'id in the path must be a job id (a UUID, as POST /v1/jobs answers it), not "job-42"'],
    ['a job id that is no UUID, on its export', { method: 'GET', url: '/v1/jobs/42/exports/leads.csv' }, 'INVALID_REQUEST', 'id in the path must be a job id (a UUID, as POST /v1/jobs answers it), not "42"'],
    ['a body field of the wrong type', { method: 'POST', url: '/v1/possible-duplicates/x', payload: { decision: 1 } }, 'INVALID_DECISION', ERROR_CATALOGUE.INVALID_DECISION.message],
    ['DNC numbers that are not strings', { method: 'POST', url: '/v1/dnc/numbers', payload: { numbers: [12015550123] } }, 'INVALID_DNC_NUMBERS', ERROR_CATALOGUE.INVALID_DNC_NUMBERS.message],
    ['a dedup policy that is not an object', { method: 'PUT', url: '/v1/dedup/policy', payload: { supplier: 'acme', policy: 'strict' } }, 'INVALID_DEDUP_POLICY', ERROR_CATALOGUE.INVALID_DEDUP_POLICY.message],
    ['a price as a JSON number', { method: 'POST', url: '/v1/suppliers', payload: { name: 'acme', costPerLead: { amount: 0.35, currency: 'USD' } } }, 'INVALID_SUPPLIER', ERROR_CATALOGUE.INVALID_SUPPLIER.message],
    ['a supplier change with a misspelt field', { method: 'PATCH', url: '/v1/suppliers/s1', payload: { actve: false } }, 'INVALID_SUPPLIER', ERROR_CATALOGUE.INVALID_SUPPLIER.message],
    ['a supplier list query of the wrong value', { method: 'GET', url: '/v1/suppliers?active=yes' }, 'INVALID_QUERY', 'active must be true or false: only active or inactive suppliers, not "yes"'],
  ] as const)('answers %s with 400, its code and the field named, before any work', async (_what, request, code, message) => {
    calls.length = 0;
    const res = await app.inject({ ...request, headers: bearer(key) });
    expect([res.statusCode, res.json()]).toEqual([400, { code, message }]);
    expect(calls).toEqual([]);
  });

  it('refuses to build a server with a route that has no schema, or that says nothing of who may call it', async () => {
    const bare = await buildRestApp({ service: {} as JobService, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 1000, keys: createSqlApiKeyStore(db) });
    expect(() => bare.get('/v1/undocumented', { config: { access: 'viewer' } }, async () => 'x')).toThrow('route GET /v1/undocumented has no schema: give it one in rest-schemas.ts');
    expect(() => bare.get('/v1/unguarded', { schema: {} }, async () => 'x')).toThrow('route GET /v1/unguarded says nothing of who may call it: give it config.access');
    await bare.close();
  });

  it('keeps the probes and the documentation open on the API port', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/docs/json', '/docs/']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
