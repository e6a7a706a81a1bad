import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { leadExists, leadMerges, listPossibleDuplicates, decidePossibleDuplicate, migrations as persistenceMigrations, revertMerge } from '@leadflow/persistence';
import { jobFailure } from '@leadflow/pipeline';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { createOutboundRules } from '@leadflow/outbound';
import { ERROR_CATALOGUE, isErrorCode } from './error-catalogue.js';
import { bearer, waitUntil } from '@leadflow/testkit';
import { buildRestApp, createJobService, createSqlApiKeyStore, createSqlJobStore, exportCsv, migrations, type UploadSink } from './index.js';

const boundary = '----leadflowerrors';
const part = (name: string, value: string, filename?: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`;
const form = (...parts: string[]): InjectOptions => ({
  method: 'POST',
  url: '/v1/jobs',
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  payload: parts.join('') + `--${boundary}--\r\n`,
});
/** A well-formed job id no job has: a job id that is no UUID is refused before any look-up (INVALID_REQUEST). */
const unknownJob = '6f1d2c3b-0000-4000-8000-000000000000';
const json = (method: 'POST' | 'PUT', url: string, payload: string): InjectOptions => ({ method, url, headers: { 'content-type': 'application/json' }, payload });

/** A sink that reads the file as standalone mode does, refusing any file that starts with "%PDF". */
const sink: UploadSink = {
  decide: async () => {},
  open: () => ({
    write: async (chunk) => {
      if (Buffer.from(chunk).subarray(0, 4).toString() === '%PDF') {
        throw Object.assign(new Error('binary'), { jobFailure: jobFailure('FILE_BINARY', 'its bytes say it is a PDF document') });
      }
    },
    nextFile: async () => {},
    end: async () => {},
    fail: async () => {},
  }),
};

/** Sends raw bytes to the server and returns what it answered before closing. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(request.slice(0, 60))}`)));
  });
}

describe('errors a REST client can cause', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  let port: number;
  let adminKey: string;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    await migrate(db, persistenceMigrations);
    const service = createJobService({
      jobs: createSqlJobStore(db), exports: (kind, jobId, tenantId) => exportCsv(db, kind, jobId, tenantId), uploads: sink, dnc: createSqlDncRegistry(db), maxUploadBytes: 1000, outbound: createOutboundRules(),
      merges: { exists: (leadId, tenantId) => leadExists(db, leadId, tenantId), list: (leadId, tenantId) => leadMerges(db, leadId, tenantId), revert: (id, tenantId) => revertMerge(db, id, tenantId) },
      possibleDuplicates: { list: (tenantId, q) => listPossibleDuplicates(db, tenantId, q), decide: (id, tenantId, d) => decidePossibleDuplicate(db, id, tenantId, d) },
    });
    const keys = createSqlApiKeyStore(db);
    adminKey = (await keys.create({ tenant: 't1', role: 'admin' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 1000, keys });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const cases: [string, InjectOptions, string, number][] = [
    // JSON is a stream of records there (docs/record-streams.md); plain text is neither a form nor records.
    ['a text body for an upload', { method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'text/plain' }, payload: 'email\na@x.com' }, 'NOT_MULTIPART', 415],
    ['a content type no route takes', { method: 'POST', url: '/v1/dnc/numbers', headers: { 'content-type': 'application/xml' }, payload: '<numbers/>' }, 'UNSUPPORTED_MEDIA_TYPE', 415],
    ['malformed JSON', json('POST', '/v1/dnc/numbers', '{"numbers": ['), 'INVALID_JSON', 400],
    ['an empty JSON body', json('POST', '/v1/dnc/numbers', ''), 'INVALID_JSON', 400],
    ['Do-Not-Call numbers over 8 MiB', json('POST', '/v1/dnc/numbers', JSON.stringify({ numbers: ['x'.repeat(9 * 1024 * 1024)] })), 'BODY_TOO_LARGE', 413],
    ['a policy over 1 MiB', json('PUT', '/v1/dedup/policy', JSON.stringify({ supplier: 'x'.repeat(1024 * 1024), policy: {} })), 'BODY_TOO_LARGE', 413],
    ['a key body over 16 KiB', json('POST', '/v1/keys', JSON.stringify({ role: 'viewer', name: 'x'.repeat(17 * 1024) })), 'BODY_TOO_LARGE', 413],
    ['a key of no known role', json('POST', '/v1/keys', '{"role": "owner"}'), 'INVALID_KEY', 400],
    ['a key that expired before it was made', json('POST', '/v1/keys', '{"role": "viewer", "expiresAt": "2001-01-01T00:00:00Z"}'), 'INVALID_KEY', 400],
    ['revoking a key that is not there', { method: 'DELETE', url: '/v1/keys/lfk_00000000' }, 'KEY_NOT_FOUND', 404],
    ['an unknown route', { method: 'GET', url: '/v2/things' }, 'NOT_FOUND', 404],
    ['a method a route does not take', { method: 'DELETE', url: '/v1/jobs/abc' }, 'NOT_FOUND', 404],
    ['a URL badly percent-encoded', { method: 'GET', url: '/v1/jobs/%E0%A4%A' }, 'INVALID_URL', 400],
    ['multipart without a boundary', { method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'multipart/form-data' }, payload: 'x' }, 'MALFORMED_MULTIPART', 400],
    ['a field the upload does not take', form(part('tenant', 'other'), part('file', 'email\n', 'a.csv')), 'UNKNOWN_FORM_FIELD', 400],
    ['the file in another field', form(part('upload', 'email\n', 'a.csv')), 'UNKNOWN_FORM_FIELD', 400],
    ['a field over 4096 bytes', form(part('supplier', 'x'.repeat(5000)), part('file', 'email\n', 'a.csv')), 'FIELD_TOO_LONG', 400],
    ['no file', form(part('supplier', 'acme')), 'FILE_MISSING', 400],
    ['a webhook that is not a URL', form(part('webhook', 'ftp://x'), part('file', 'email\n', 'a.csv')), 'INVALID_WEBHOOK_URL', 400],
    ['a webhook to a loopback address', form(part('webhook', 'https://127.0.0.1/hook'), part('file', 'email\n', 'a.csv')), 'WEBHOOK_URL_FORBIDDEN', 400],
    ['an unknown job', { method: 'GET', url: `/v1/jobs/${unknownJob}` }, 'JOB_NOT_FOUND', 404],
    ['a job id that is no UUID', { method: 'GET', url: '/v1/jobs/not-a-job' }, 'INVALID_REQUEST', 400],
    ['an unknown export', { method: 'GET', url: `/v1/jobs/${unknownJob}/exports/everything.csv` }, 'UNKNOWN_EXPORT', 404],
    ['a mapping decision whose fields are not an object', json('POST', `/v1/jobs/${unknownJob}/mapping`, '{"fields": [1]}'), 'INVALID_MAPPING_DECISION', 400],
    ['undoing a merge id that is no id', { method: 'POST', url: '/v1/merges/not-a-merge/revert' }, 'MERGE_NOT_FOUND', 404],
    ['a decision on a lead id that is no id', json('POST', '/v1/possible-duplicates/not-a-lead', '{"decision": "distinct"}'), 'POSSIBLE_DUPLICATE_NOT_FOUND', 404],
    ['a decision that is neither', json('POST', '/v1/possible-duplicates/not-a-lead', '{"decision": "maybe"}'), 'INVALID_DECISION', 400],
    ['a page size that is no number', { method: 'GET', url: '/v1/possible-duplicates?limit=many' }, 'INVALID_QUERY', 400],
    ['a dedup policy with an unknown setting', json('PUT', '/v1/dedup/policy', '{"policy": {"colour": "red"}}'), 'INVALID_DEDUP_POLICY', 400],
    ['DNC numbers that are not a list', json('POST', '/v1/dnc/numbers', '{"numbers": "x"}'), 'INVALID_DNC_NUMBERS', 400],
  ];

  it.each(cases)('answers %s with a catalogued code and a message that says what to do', async (_what, request, code, status) => {
    const res = await app.inject({ ...request, headers: { ...request.headers, ...bearer(adminKey) } });
    const body = res.json() as { code: string; message: string };
    expect({ status: res.statusCode, code: body.code }).toEqual({ status, code });
    expect(isErrorCode(body.code)).toBe(true);
    expect(ERROR_CATALOGUE[body.code as keyof typeof ERROR_CATALOGUE].status).toBe(status);
    expect(body.message.length).toBeGreaterThan(10);
    expect(res.body).not.toMatch(/FST_|\bat .*\.js|Error:/);
  });

  // Found once the upload was answered 202 with its job: the job fails, its failure says why.
  it.each([
    ['a multipart body cut short', { ...form(), payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\n` }, 'UPLOAD_REFUSED', 'MALFORMED_MULTIPART'],
    // Several files make one job (docs/several-files.md), at most 32.
    ['33 files', form(...Array.from({ length: 33 }, (_, i) => part('file', 'email\n', `f${i}.csv`))), 'UPLOAD_REFUSED', 'TOO_MANY_FILES'],
    ['eleven fields', form(...Array.from({ length: 11 }, () => part('supplier', 'acme')), part('file', 'email\n', 'a.csv')), 'UPLOAD_REFUSED', 'TOO_MANY_FIELDS'],
    ['a file over the upload limit', form(part('file', 'a'.repeat(5000), 'big.csv')), 'UPLOAD_TOO_LARGE', 'limit 1000 bytes'],
    ['a file that is not text', form(part('file', '%PDF-1.7 ...', 'leads.pdf')), 'FILE_BINARY', 'its bytes say it is a PDF document'],
  ])('answers %s 202 with its job, which then fails with %s, saying why', async (_what, request, code, detail) => {
    const res = await app.inject({ ...request, headers: { ...request.headers, ...bearer(adminKey) } });
    expect(res.statusCode).toBe(202);
    const id = (res.json() as { id: string }).id;
    const job = await waitUntil(`job ${id} to fail`, async () => {
      const j = (await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: bearer(adminKey) })).json() as { status: string; failure?: { code: string; message: string } };
      return j.status === 'failed' ? j : undefined;
    }, { timeoutMs: 30_000, intervalMs: 10 });
    expect(job.failure?.code).toBe(code);
    expect(job.failure?.message).toContain(detail);
    expect(job.failure?.message).not.toMatch(/FST_|\bat .*\.js|Error:/);
  });

  it.each([
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 'BAD_REQUEST', 400],
    ['headers over 16 KiB', `GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 'HEADERS_TOO_LARGE', 431],
  ])('answers %s on the socket with a catalogued code, then closes it', async (_what, request, code, status) => {
    const answer = await raw(port, request);
    expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ code, message: ERROR_CATALOGUE[code as 'BAD_REQUEST'].message });
  });

  it('publishes every code of the catalogue in docs/errors.md with its HTTP status', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));
    const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, e]) => [code, e.status]));
    expect(documented).toEqual(catalogue);
  });
});
