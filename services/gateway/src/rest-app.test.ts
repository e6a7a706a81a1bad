import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { createLogger } from '@leadflow/logger';
import type { JobFailure, JobRef, MappingDecision } from '@leadflow/proto';
import { createSqlMappingStore, migrations as mappingMigrations, type MappedField } from '@leadflow/mapping';
import { createSqlLeadStore, decidePossibleDuplicate, leadExists, leadMerges, listPossibleDuplicates, migrations as persistenceMigrations, revertMerge } from '@leadflow/persistence';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createOutboundRules } from '@leadflow/outbound';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type DncRegistry, type SqlClient } from '@leadflow/stores';
import { bearer, waitUntil } from '@leadflow/testkit';
import { buildRestApp, createJobService, createSqlApiKeyStore, createSqlJobStore, exportCsv, migrations, type UploadSink } from './index.js';

/** Requests to `app` as the holder of `key`. */
const withKey = (app: FastifyInstance, key: string) => (o: InjectOptions) => app.inject({ ...o, headers: { ...o.headers, ...bearer(key) } });

/** Webhooks as in production (https, public addresses only); every name resolves to a public address. */
const outbound = { outbound: createOutboundRules(), resolve: async () => [{ address: '93.184.215.14', family: 4 }] };

/** An upload sink that keeps what it was given, in place of Kafka or the in-process ingest. */
function recordingSink() {
  const uploads: { job: JobRef; bytes: Buffer[]; ended: boolean; final?: JobRef; failure?: JobFailure }[] = [];
  const decisions: { job: JobRef; decision: MappingDecision }[] = [];
  const sink: UploadSink = {
    async decide(job, decision) {
      decisions.push({ job, decision });
    },
    open(job) {
      const u = { job, bytes: [] as Buffer[], ended: false, failure: undefined as JobFailure | undefined };
      uploads.push(u);
      return {
        write: async (chunk) => void u.bytes.push(Buffer.from(chunk)),
        nextFile: async () => {},
        end: async (final) => void Object.assign(u, { ended: true, final }),
        fail: async (f) => void (u.failure = f),
      };
    },
  };
  return { sink, uploads, decisions };
}

function multipart(parts: { name: string; value: string | Buffer; filename?: string }[]) {
  const boundary = '----leadflowtest';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? 'Content-Type: text/csv\r\n' : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The job once it has ended its upload: handed on whole, or failed. */
async function uploaded(call: ReturnType<typeof withKey>, id: string) {
  return waitUntil(`the upload of job ${id} to end`, async () => {
    const job = (await call({ method: 'GET', url: `/v1/jobs/${id}` })).json();
    return job.status === 'failed' || job.bytesReceived > 0 ? job : undefined;
  }, { timeoutMs: 30_000, intervalMs: 10 });
}

describe('REST API', () => {
  let db: SqlClient;
  let app: FastifyInstance;
  /** Requests as tenant t1's admin. */
  let call: ReturnType<typeof withKey>;
  let adminKey: string;
  const recorded = recordingSink();
  let dnc: DncRegistry;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    dnc = createSqlDncRegistry(db);
    await migrate(db, persistenceMigrations);
    await migrate(db, mappingMigrations);
    const service = createJobService({ jobs: createSqlJobStore(db), exports: (kind, jobId, tenantId) => exportCsv(db, kind, jobId, tenantId), uploads: recorded.sink, dnc, maxUploadBytes: 1000, watchIntervalMs: 20, ...outbound,
      merges: { exists: (leadId, tenantId) => leadExists(db, leadId, tenantId), list: (leadId, tenantId) => leadMerges(db, leadId, tenantId), revert: (id, tenantId) => revertMerge(db, id, tenantId) },
      possibleDuplicates: { list: (tenantId, q) => listPossibleDuplicates(db, tenantId, q), decide: (id, tenantId, d) => decidePossibleDuplicate(db, id, tenantId, d) } });
    const keys = createSqlApiKeyStore(db);
    adminKey = (await keys.create({ tenant: 't1', role: 'admin' })).key;
    app = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 1000, keys });
    call = withKey(app, adminKey);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('takes a multipart upload, hands its bytes on in order, and answers 202 with the queued job', async () => {
    const csv = 'email\nann@x.com\n';
    const res = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'supplier', value: 'acme' }, { name: 'file', value: csv, filename: 'a.csv' }]) });
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(res.headers.location).toBe(`/v1/jobs/${job.id}`);
    expect(job).toMatchObject({ status: 'queued', supplier: 'acme', fileName: 'a.csv', counts: { rows: 0, accepted: 0, delivered: 0 } });
    const upload = recorded.uploads.find((u) => u.job.jobId === job.id)!;
    await waitUntil('the upload handed on whole', () => (upload.ended ? true : undefined), { timeoutMs: 30_000, intervalMs: 10 });
    expect(Buffer.concat(upload.bytes).toString()).toBe(csv);
    expect(upload).toMatchObject({ ended: true, job: { tenantId: 't1', supplier: 'acme' } });

    const again = await call({ method: 'GET', url: `/v1/jobs/${job.id}` });
    expect(again.json()).toEqual({ ...job, bytesReceived: csv.length, files: [{ name: 'a.csv', rows: null, bytes: csv.length }] });
  });

  it('answers a file over the limit 202 with its job, which then fails with UPLOAD_TOO_LARGE, the file dropped', async () => {
    const res = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: Buffer.alloc(5000, 'a'), filename: 'big.csv' }]) });
    expect(res.statusCode).toBe(202);
    const job = await uploaded(call, res.json().id);
    expect(job).toMatchObject({ status: 'failed', bytesReceived: 1000, failure: { code: 'UPLOAD_TOO_LARGE', message: 'the file is larger than the upload limit: split it into smaller files (limit 1000 bytes)' } });
    expect(recorded.uploads.find((u) => u.job.jobId === job.id)).toMatchObject({ ended: false, failure: { code: 'UPLOAD_TOO_LARGE' } });
  });

  it('answers 413 UPLOAD_TOO_LARGE at once, making no job, when the body says it is larger than any file the limit lets through', async () => {
    const before = recorded.uploads.length;
    const res = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: Buffer.alloc(70_000, 'a'), filename: 'huge.csv' }]) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'UPLOAD_TOO_LARGE', message: expect.stringContaining('1000 bytes') });
    expect(recorded.uploads.length).toBe(before);
  });

  it('explains a request without a file, a body that is not multipart, and a bad webhook URL', async () => {
    const noFile = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'supplier', value: 'acme' }]) });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().code).toBe('FILE_MISSING');
    const json = await call({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'text/plain' }, payload: 'email\na@x.com' });
    expect(json.statusCode).toBe(415);
    expect(json.json().code).toBe('NOT_MULTIPART');
    const hook = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'webhook', value: 'ftp://x' }, { name: 'file', value: 'a\n', filename: 'a.csv' }]) });
    expect(hook.statusCode).toBe(400);
    expect(hook.json()).toEqual({ code: 'INVALID_WEBHOOK_URL', message: 'webhook "ftp://x" is not an http or https URL' });
  });

  it.each([
    ['http://2130706433:8080/hook', 'plain http is not allowed (leads would travel unencrypted): use https'],
    ['https://2130706433:8080/hook', '127.0.0.1 is a loopback address'],
    ['https://0x7f.1/hook', '127.0.0.1 is a loopback address'],
    ['https://0177.0.0.1/hook', '127.0.0.1 is a loopback address'],
    ['https://127.1/hook', '127.0.0.1 is a loopback address'],
    ['https://169.254.169.254/latest', '169.254.169.254 is a link-local address'],
    ['https://[::ffff:10.0.0.1]/hook', '::ffff:a00:1 is an IPv4-mapped IPv6 address'],
  ])('refuses the webhook %s when it is saved, with WEBHOOK_URL_FORBIDDEN and the reason', async (url, reason) => {
    const before = recorded.uploads.length;
    const res = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'webhook', value: url }, { name: 'file', value: 'email\n', filename: 'a.csv' }]) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'WEBHOOK_URL_FORBIDDEN', message: `webhook "${url}" is not allowed: ${reason}; webhooks go to public addresses over https` });
    expect(recorded.uploads.length).toBe(before);
  });

  it('refuses a webhook sent after the file: the job it began fails, saying why', async () => {
    const res = await call({
      method: 'POST', url: '/v1/jobs',
      ...multipart([{ name: 'file', value: 'email\nann@x.com\n', filename: 'late.csv' }, { name: 'webhook', value: 'https://10.0.0.8/hook' }]),
    });
    expect(res.statusCode).toBe(202);
    const job = await uploaded(call, res.json().id);
    expect(job).toMatchObject({ status: 'failed', failure: { code: 'UPLOAD_REFUSED' } });
    expect(job.failure.message).toContain('WEBHOOK_URL_FORBIDDEN: webhook "https://10.0.0.8/hook" is not allowed: 10.0.0.8 is a private address');
  });

  it('takes the form fields in any order: those sent after the file complete the job before its rows go on', async () => {
    const res = await call({
      method: 'POST', url: '/v1/jobs',
      ...multipart([
        { name: 'review', value: 'yes' },
        { name: 'file', value: 'email\nann@x.com\n', filename: 'late.csv' },
        { name: 'supplier', value: 'acme-late' },
        { name: 'webhook', value: 'https://example.com/late' },
        { name: 'sheet', value: 'Leads' },
      ]),
    });
    expect(res.statusCode).toBe(202);
    // Answered as the job is when its file begins: the fields after it are not known yet.
    expect(res.json()).toMatchObject({ supplier: '', fileName: 'late.csv', status: 'queued' });
    expect(await uploaded(call, res.json().id)).toMatchObject({ supplier: 'acme-late', fileName: 'late.csv', status: 'queued' });
    const upload = recorded.uploads.find((u) => u.job.jobId === res.json().id)!;
    expect(upload.job).toMatchObject({ supplier: '', webhookUrl: '', review: true });
    expect(upload.final).toEqual({
      jobId: res.json().id, tenantId: 't1', fileName: 'late.csv', supplier: 'acme-late', webhookUrl: 'https://example.com/late', sheet: 'Leads', review: true, priority: 'normal',
    });
    const [row] = (await db.query<{ supplier: string; webhook_url: string }>('SELECT supplier, webhook_url FROM jobs WHERE id = $1', [res.json().id])).rows;
    expect(row).toEqual({ supplier: 'acme-late', webhook_url: 'https://example.com/late' });
  });

  it('takes a priority as a form field or a query parameter, shows it on the job and sends the job on at it', async () => {
    const form = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'priority', value: 'high' }, { name: 'file', value: 'email\nann@x.com\n', filename: 'a.csv' }]) });
    expect([form.statusCode, form.json().priority]).toEqual([202, 'high']);
    expect(recorded.uploads.find((u) => u.job.jobId === form.json().id)!.job.priority).toBe('high');
    const query = await call({ method: 'POST', url: '/v1/jobs?priority=low', ...multipart([{ name: 'file', value: 'email\nann@x.com\n', filename: 'b.csv' }]) });
    expect([query.statusCode, query.json().priority]).toEqual([202, 'low']);
    const records = await call({ method: 'POST', url: '/v1/jobs?priority=high', headers: { 'content-type': 'application/x-ndjson' }, payload: '{"email":"ann@x.com"}\n' });
    expect([records.statusCode, records.json().priority]).toEqual([202, 'high']);
    const plain = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: 'email\nann@x.com\n', filename: 'c.csv' }]) });
    expect(plain.json().priority).toBe('normal');
    expect((await call({ method: 'GET', url: `/v1/jobs/${form.json().id}` })).json().priority).toBe('high');
  });

  it('refuses a priority other than high, normal or low with 400 INVALID_PRIORITY naming them, and makes no job', async () => {
    const uploadsBefore = recorded.uploads.length;
    const form = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'priority', value: 'urgent' }, { name: 'file', value: 'email\n', filename: 'a.csv' }]) });
    expect([form.statusCode, form.json()]).toEqual([400, { code: 'INVALID_PRIORITY', message: 'priority "urgent" is not one of high, normal, low' }]);
    const records = await call({ method: 'POST', url: '/v1/jobs?priority=top', headers: { 'content-type': 'application/x-ndjson' }, payload: '{"email":"ann@x.com"}\n' });
    expect([records.statusCode, records.json().code]).toEqual([400, 'INVALID_PRIORITY']);
    expect(recorded.uploads.length).toBe(uploadsBefore);
  });

  it('refuses a form field it does not take, or one too long, before the file or after it; after it, the job keeps nothing', async () => {
    const before = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'suplier', value: 'acme' }, { name: 'file', value: 'email\n', filename: 'a.csv' }]) });
    expect(before.statusCode).toBe(400);
    expect(before.json()).toEqual({ code: 'UNKNOWN_FORM_FIELD', message: 'the form has a field "suplier": send only supplier, webhook, sheet, review, priority and file' });

    const uploadsBefore = recorded.uploads.length;
    const after = await call({
      method: 'POST', url: '/v1/jobs',
      ...multipart([{ name: 'file', value: 'email\nann@x.com\n', filename: 'a.csv' }, { name: 'supplier', value: 'x'.repeat(5000) }]),
    });
    expect(after.statusCode).toBe(202);
    const job = await uploaded(call, after.json().id);
    expect(job).toMatchObject({ status: 'failed', failure: { code: 'UPLOAD_REFUSED', message: expect.stringContaining('FIELD_TOO_LONG: the field "supplier" is longer than 4096 bytes') } });
    expect(recorded.uploads.slice(uploadsBefore)).toMatchObject([{ ended: false, failure: { code: 'UPLOAD_REFUSED' } }]);
  });

  it('adds DNC numbers given as JSON or as lines of text, and names what it could not read', async () => {
    const res = await call({ method: 'POST', url: '/v1/dnc/numbers', payload: { numbers: ['(201) 555-0123', '+44 7911 123456', 'call me'] } });
    expect(res.json()).toEqual({ added: 2, rejected: ['call me'] });
    const text = await call({ method: 'POST', url: '/v1/dnc/numbers', headers: { 'content-type': 'text/plain' }, payload: '201-555-0123\n212 555 0199\n' });
    expect(text.json()).toEqual({ added: 1, rejected: [] });
    const screened = await dnc.screen(['+12015550123', '+447911123456', '+12125550199', '+12125550100'], 't1');
    const [national, internal] = [screened.lists.findIndex((l) => l.kind === 'national'), screened.lists.findIndex((l) => l.kind === 'internal')];
    expect(screened.lists[internal]).toMatchObject({ owner: 't1', version: 2 });
    expect(national).toBeGreaterThanOrEqual(0);
    expect(screened.on).toEqual([[internal], [internal], [internal], []]);
    const bad = await call({ method: 'POST', url: '/v1/dnc/numbers', payload: { numbers: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('INVALID_DNC_NUMBERS');
  });

  it('answers 409 MAPPING_NOT_READY for a job whose rows have not been mapped yet', async () => {
    const created = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: 'email\n', filename: 'm.csv' }]) });
    const res = await call({ method: 'GET', url: `/v1/jobs/${created.json().id}/mapping` });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('MAPPING_NOT_READY');
  });

  it('shows a job in review with its proposed mapping and preview, and sends on the decision a person makes', async () => {
    const created = await call({
      method: 'POST', url: '/v1/jobs',
      ...multipart([{ name: 'supplier', value: 'acme' }, { name: 'review', value: 'true' }, { name: 'file', value: 'Mail,Ref\nann@x.com,7\n', filename: 'r.csv' }]),
    });
    const id = created.json().id as string;
    expect(recorded.uploads.find((u) => u.job.jobId === id)!.job.review).toBe(true);
    // What the mapping service records for a job in review (its own store, on the same database).
    await createSqlMappingStore(db).saveJobMapping({ jobId: id, tenantId: 't1', supplier: 'acme' }, {
      status: 'awaiting_review',
      columns: [
        { header: 'Mail', field: 'email', confidence: 0.93, evidence: [{ kind: 'name', detail: 'header "Mail" is an alias of email' }] },
        { header: 'Ref', field: 'extra', confidence: 0.5, evidence: [] },
      ],
      preview: [{ rowNumber: 1, cells: { Mail: 'ann@x.com', Ref: '7' }, fields: { email: 'ann@x.com', 'extra.Ref': '7' } }],
    });
    expect((await call({ method: 'GET', url: `/v1/jobs/${id}` })).json().status).toBe('awaiting_review');
    const mapping = (await call({ method: 'GET', url: `/v1/jobs/${id}/mapping` })).json();
    expect(mapping).toMatchObject({ status: 'awaiting_review', preview: [{ rowNumber: 1, cells: { Mail: 'ann@x.com' }, fields: { email: 'ann@x.com' } }] });
    expect(mapping.columns[0]).toEqual({ header: 'Mail', field: 'email', confidence: 0.93, evidence: ['header "Mail" is an alias of email'] });

    const confirm = (fields: unknown) => call({ method: 'POST', url: `/v1/jobs/${id}/mapping`, payload: { fields } });
    const unknownColumn = await confirm({ Reference: 'source' });
    expect(unknownColumn.statusCode).toBe(400);
    expect(unknownColumn.json()).toEqual({ code: 'UNKNOWN_COLUMN', message: 'the file has no column "Reference"; its columns are: "Mail", "Ref"' });
    const unknownField = await confirm({ Ref: 'reference' });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().code).toBe('UNKNOWN_FIELD');
    expect(unknownField.json().message).toMatch(/^"reference" is not a lead field; use one of: first_name, .*source.*, or extra/);
    expect((await confirm(['source'])).json().code).toBe('INVALID_MAPPING_DECISION');
    expect(recorded.decisions).toEqual([]);

    const ok = await confirm({ Ref: 'source' });
    expect(ok.statusCode).toBe(200);
    const decided = [
      { header: 'Mail', field: 'email', confidence: 1, evidence: ['confirmed by a person'] },
      { header: 'Ref', field: 'source', confidence: 1, evidence: ['set by a person (proposed: extra)'] },
    ];
    expect(ok.json()).toEqual({ columns: decided });
    expect(recorded.decisions).toEqual([{ job: expect.objectContaining({ jobId: id, tenantId: 't1', supplier: 'acme' }), decision: { columns: decided, fileIndex: 0 } }]);
  });

  it('shows each file of a job of several files in review, and decides one file or every file waiting', async () => {
    const created = await call({
      method: 'POST', url: '/v1/jobs',
      ...multipart([
        { name: 'supplier', value: 'acme' }, { name: 'review', value: 'true' },
        { name: 'file', value: 'Mail,Ref\nann@x.com,7\n', filename: 'A.csv' }, { name: 'file', value: 'email_address,Code\ncy@z.net,9\n', filename: 'B.csv' },
      ]),
    });
    expect(created.statusCode, created.body).toBe(202);
    const id = created.json().id as string;
    await waitUntil('both files received', async () => ((await call({ method: 'GET', url: `/v1/jobs/${id}` })).json().files.length === 2 ? true : undefined), {
      timeoutMs: 30_000, intervalMs: 10,
    });
    // What the mapping service records for each file (its own store, on the same database).
    const store = createSqlMappingStore(db);
    const column = (header: string, field: MappedField) => ({ header, field, confidence: 0.5, evidence: [] });
    await store.saveJobMapping({ jobId: id, tenantId: 't1', supplier: 'acme' }, {
      status: 'awaiting_review', columns: [column('Mail', 'email'), column('Ref', 'extra')], preview: [{ rowNumber: 1, cells: { Mail: 'ann@x.com', Ref: '7' }, fields: {} }],
    });
    await store.saveJobMapping({ jobId: id, tenantId: 't1', supplier: 'acme', fileIndex: 1 }, {
      status: 'awaiting_review', columns: [column('email_address', 'email'), column('Code', 'extra')], preview: [{ rowNumber: 1, cells: { email_address: 'cy@z.net', Code: '9' }, fields: {} }],
    });
    const mapping = (await call({ method: 'GET', url: `/v1/jobs/${id}/mapping` })).json();
    expect(mapping.status).toBe('awaiting_review');
    expect(mapping.files.map((f: { file: string; status: string; columns: { header: string; field: string }[]; preview: { rowNumber: number }[] }) =>
      [f.file, f.status, f.columns.map((c) => `${c.header}:${c.field}`), f.preview.map((p) => p.rowNumber)])).toEqual([
      ['A.csv', 'awaiting_review', ['Mail:email', 'Ref:extra'], [1]],
      ['B.csv', 'awaiting_review', ['email_address:email', 'Code:extra'], [1]],
    ]);

    const confirm = (body: unknown) => call({ method: 'POST', url: `/v1/jobs/${id}/mapping`, payload: body as object });
    const unknownFile = await confirm({ file: 'C.csv' });
    expect([unknownFile.statusCode, unknownFile.json()]).toEqual([400, { code: 'UNKNOWN_FILE', message: `job "${id}" has no file "C.csv"; its files are: "A.csv", "B.csv"` }]);
    // A column of another file is not this file's.
    const otherColumn = await confirm({ file: 'B.csv', fields: { Ref: 'source' } });
    expect([otherColumn.statusCode, otherColumn.json().code]).toEqual([400, 'UNKNOWN_COLUMN']);
    expect(recorded.decisions.filter((d) => d.job.jobId === id)).toEqual([]);

    const one = await confirm({ file: 'B.csv', fields: { Code: 'source' } });
    expect(one.statusCode).toBe(200);
    expect(one.json().files.map((f: { file: string }) => f.file)).toEqual(['B.csv']);
    expect(one.json().columns.map((c: { field: string }) => c.field)).toEqual(['email', 'source']);
    expect(recorded.decisions.filter((d) => d.job.jobId === id).map((d) => [d.decision.fileIndex, d.decision.columns.map((c) => c.field)])).toEqual([[1, ['email', 'source']]]);

    // The mapping service recorded it: B.csv is decided, A.csv still waits, and so does the job.
    await store.confirmFileMapping(id, 1, [column('email_address', 'email'), column('Code', 'source')]);
    const again = await confirm({ file: 'B.csv' });
    expect([again.statusCode, again.json().code, again.json().message]).toEqual([409, 'NOT_IN_REVIEW', `file "B.csv" of job "${id}" is not waiting for review (its mapping is confirmed): the job's other files may be`]);
    // Without a file: every file still waiting, A.csv.
    const rest = await confirm({ fields: { Ref: 'source' } });
    expect(rest.statusCode).toBe(200);
    expect(rest.json().files.map((f: { file: string; columns: { field: string }[] }) => [f.file, f.columns.map((c) => c.field)])).toEqual([['A.csv', ['email', 'source']]]);
    expect(recorded.decisions.filter((d) => d.job.jobId === id).map((d) => d.decision.fileIndex)).toEqual([1, 0]);
  });

  it('answers 409 NOT_IN_REVIEW to a decision on a job that was not uploaded for review', async () => {
    const created = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: 'email\na@x.com\n', filename: 'n.csv' }]) });
    const id = created.json().id as string;
    await createSqlMappingStore(db).saveJobMapping({ jobId: id, tenantId: 't1', supplier: '' }, { status: 'automatic', columns: [], preview: [] });
    const res = await call({ method: 'POST', url: `/v1/jobs/${id}/mapping`, payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      code: 'NOT_IN_REVIEW',
      message: `job "${id}" is not waiting for review (its mapping is automatic): upload with review=true to review a mapping before the rows go on`,
    });
  });

  it('lists the merges into a lead and undoes one, once', async () => {
    const lead = { ...emptyLead(), firstName: 'Ann', lastName: 'Lee', email: 'ann@acme.com', emailKey: 'ann@acme.com' };
    const batch = (jobId: string, phone: string, matched?: string): LeadBatch => ({
      job: { jobId, tenantId: 't1', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
      rows: [{
        rowNumber: 1, lead: { ...lead, phone }, disposition: matched ? Disposition.DISPOSITION_DUPLICATE : Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [],
        qualityScore: 0, raw: [], leadId: leadIdFor(jobId, 1),
        match: matched ? { matchedJobId: 'merge-a', matchedRow: 0, matchedLeadId: matched, matchType: 'exact_email', score: 1 } : undefined,
      }],
    });
    await createSqlLeadStore(db).storeBatch(batch('merge-a', ''));
    const leadId = leadIdFor('merge-a', 1);
    await createSqlLeadStore(db).storeBatch(batch('merge-b', '+12015550123', leadId));
    const listed = (await call({ method: 'GET', url: `/v1/leads/${leadId}/merges` })).json();
    expect(listed.merges).toEqual([
      expect.objectContaining({ leadId, jobId: 'merge-b', rowNumber: 1, changes: { phone: { before: '', after: '+12015550123' } }, revertedAt: null }),
    ]);
    const id = listed.merges[0].id as string;
    const undone = await call({ method: 'POST', url: `/v1/merges/${id}/revert` });
    expect(undone.statusCode).toBe(200);
    expect(undone.json()).toMatchObject({ restored: ['phone'], kept: [], merge: { id, revertedAt: expect.any(String) } });
    const again = await call({ method: 'POST', url: `/v1/merges/${id}/revert` });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('MERGE_ALREADY_REVERTED');
    const unknown = await call({ method: 'POST', url: '/v1/merges/999999/revert' });
    expect(unknown.json()).toEqual({ code: 'MERGE_NOT_FOUND', message: 'no merge with id "999999" for this tenant' });
    const noLead = await call({ method: 'GET', url: '/v1/leads/not-a-lead/merges' });
    expect([noLead.statusCode, noLead.json()]).toEqual([404, { code: 'LEAD_NOT_FOUND', message: 'no lead with id "not-a-lead" for this tenant' }]);
  });

  it("exports a job's alternate emails and phones beside the canonical fields of its leads, duplicates and suppressed rows", async () => {
    const res = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: 'email\nann@x.com\n', filename: 'alt.csv' }]) });
    const jobId = res.json().id as string;
    const row = (n: number, disposition: Disposition, more: Partial<LeadBatch['rows'][number]> = {}): LeadBatch['rows'][number] => ({
      rowNumber: n, disposition, reasons: [], tags: [], qualityScore: 0, raw: [], leadId: leadIdFor(jobId, n), match: undefined,
      lead: {
        ...emptyLead(), firstName: 'Ann', email: `ann${n}@x.com`, emailKey: `ann${n}@x.com`, phone: `+1201555010${n}`,
        alternateEmails: [{ value: `ann${n}@home.net`, header: 'Email 2' }],
        alternatePhones: [{ value: `+1201555020${n}`, header: 'Mobile' }, { value: `+1201555030${n}`, header: 'Handy' }],
      },
      ...more,
    });
    await createSqlLeadStore(db).storeBatch({
      job: { jobId, tenantId: 't1', supplier: '', webhookUrl: '', fileName: 'alt.csv', sheet: '', review: false },
      seq: 0, header: ['email'], mapping: [], last: false, totalRows: 0, failure: undefined,
      rows: [
        row(1, Disposition.DISPOSITION_ACCEPTED),
        row(2, Disposition.DISPOSITION_DUPLICATE, { match: { matchedJobId: 'another-job', matchedRow: 0, matchedLeadId: leadIdFor('another-job', 1), matchType: 'exact_phone', score: 1 } }),
        row(3, Disposition.DISPOSITION_SUPPRESSED, { reasons: [reason('DNC_NATIONAL', 'alternate_phones', '+12015550203 (column "Mobile")')] }),
      ],
    });
    const exported = async (kind: string) => {
      const text = (await call({ method: 'GET', url: `/v1/jobs/${jobId}/exports/${kind}.csv` })).body;
      const [header, ...lines] = text.trim().split('\r\n').map((l) => l.split(','));
      return lines.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i]])));
    };
    const alternates = (rows: Record<string, string | undefined>[]) => rows.map((r) => [r.row, r.alternate_emails, r.alternate_phones]);
    expect(alternates(await exported('leads'))).toEqual([['1', 'ann1@home.net', '+12015550201;+12015550301']]);
    expect(alternates(await exported('duplicates'))).toEqual([['2', 'ann2@home.net', '+12015550202;+12015550302']]);
    expect(alternates(await exported('suppressed'))).toEqual([['3', 'ann3@home.net', '+12015550203;+12015550303']]);
  });

  it("downloads a finished job's accepted leads as one CSV, the bytes of its leads export, formula cells escaped; 409 before, 404 to others", async () => {
    const res = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: 'email\nann@x.com\n', filename: 'dl.csv' }]) });
    const jobId = res.json().id as string;
    const download = () => call({ method: 'GET', url: `/v1/jobs/${jobId}/download` });
    const early = await download();
    expect([early.statusCode, early.json().code]).toEqual([409, 'JOB_NOT_FINISHED']);
    expect(early.json().message).toMatch(new RegExp(`^job ${jobId} has not finished storing its rows: it is queued;`));

    const row = (n: number, disposition: Disposition, firstName: string): LeadBatch['rows'][number] => ({
      rowNumber: n, disposition, reasons: [], tags: [], qualityScore: 0, raw: [], leadId: leadIdFor(jobId, n), match: undefined,
      lead: { ...emptyLead(), firstName, email: `dl${n}@x.com`, emailKey: `dl${n}@x.com`, phone: `+1201555010${n}` },
    });
    await createSqlLeadStore(db).storeBatch({
      job: { jobId, tenantId: 't1', supplier: '', webhookUrl: '', fileName: 'dl.csv', sheet: '', review: false },
      seq: 0, header: ['email'], mapping: [], last: false, totalRows: 0, failure: undefined,
      rows: [row(1, Disposition.DISPOSITION_ACCEPTED, '=1+1'), row(2, Disposition.DISPOSITION_SUPPRESSED, 'Sue'), row(3, Disposition.DISPOSITION_ACCEPTED, 'Cy')],
    });
    await db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, suppressed, completed_at) VALUES ($1, 't1', 3, 3, 2, 1, now())
         ON CONFLICT (job_id) DO UPDATE SET completed_at = now()`,
      [jobId],
    );

    const done = await download();
    expect(done.statusCode).toBe(200);
    expect(done.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(done.headers['content-disposition']).toBe(`attachment; filename="${jobId}-leads.csv"`);
    const exported = await call({ method: 'GET', url: `/v1/jobs/${jobId}/exports/leads.csv` });
    expect(done.rawPayload.equals(exported.rawPayload)).toBe(true);
    const [header, ...lines] = done.body.split('\r\n');
    expect(header!.split(',').slice(0, 4)).toEqual(['row', 'file', 'lead_id', 'first_name']);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^1,dl\\.csv,${leadIdFor(jobId, 1)},"'=1\\+1",.*,dl1@x\\.com,.*,\\+12015550101,`)),
      expect.stringMatching(new RegExp(`^3,dl\\.csv,${leadIdFor(jobId, 3)},Cy,`)),
      '',
    ]);

    const keys = createSqlApiKeyStore(db);
    const other = withKey(app, (await keys.create({ tenant: 't2', role: 'viewer' })).key);
    for (const [who, url] of [['another tenant', `/v1/jobs/${jobId}/download`], ['an unknown job', '/v1/jobs/00000000-0000-4000-8000-000000000000/download']]) {
      const answer = await (who === 'another tenant' ? other : call)({ method: 'GET', url: url! });
      expect([answer.statusCode, answer.json().code], who).toEqual([404, 'JOB_NOT_FOUND']);
    }
  });

  it('lists possible duplicates for review and files a decision once, naming every mistake', async () => {
    const row = (jobId: string, lead: object, mayCopy?: string): LeadBatch => ({
      job: { jobId, tenantId: 't1', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
      rows: [{
        rowNumber: 1, lead: { ...emptyLead(), ...lead }, disposition: Disposition.DISPOSITION_ACCEPTED, qualityScore: 0, raw: [], leadId: leadIdFor(jobId, 1),
        reasons: mayCopy ? [reason('POSSIBLE_DUPLICATE', '', `lead ${mayCopy}, score 0.6200: last_name exact, first_name different`)] : [],
        tags: mayCopy ? ['possible_duplicate'] : [],
        match: mayCopy ? { matchedJobId: 'review-a', matchedRow: 0, matchedLeadId: mayCopy, matchType: 'possible', score: 0.62 } : undefined,
      }],
    });
    await createSqlLeadStore(db).storeBatch(row('review-a', { firstName: 'Kim', lastName: 'Park', city: 'Reno', email: 'kim@acme.com' }));
    const kim = leadIdFor('review-a', 1);
    await createSqlLeadStore(db).storeBatch(row('review-b', { firstName: 'Kimberly', lastName: 'Park', city: 'Reno', phone: '+17755550123' }, kim));
    const kimberly = leadIdFor('review-b', 1);

    const listed = await call({ method: 'GET', url: '/v1/possible-duplicates' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      possibleDuplicates: [{
        leadId: kimberly, jobId: 'review-b', rowNumber: 1, matchedLeadId: kim, score: expect.closeTo(0.62, 5),
        detail: `lead ${kim}, score 0.6200: last_name exact, first_name different`, status: 'open', foundAt: expect.any(String), decidedAt: null,
      }],
      next: '',
    });
    const decided = await call({ method: 'POST', url: `/v1/possible-duplicates/${kimberly}`, payload: { decision: 'duplicate' } });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({
      possibleDuplicate: { leadId: kimberly, status: 'duplicate', decidedAt: expect.any(String) },
      merge: { leadId: kim, jobId: 'review-b', rowNumber: 1, changes: { phone: { before: '', after: '+17755550123' } } },
    });
    expect((await call({ method: 'GET', url: '/v1/possible-duplicates' })).json()).toEqual({ possibleDuplicates: [], next: '' });
    expect((await call({ method: 'GET', url: '/v1/possible-duplicates?status=duplicate&limit=1' })).json()).toMatchObject({
      possibleDuplicates: [{ leadId: kimberly }], next: kimberly,
    });

    const again = await call({ method: 'POST', url: `/v1/possible-duplicates/${kimberly}`, payload: { decision: 'distinct' } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ code: 'POSSIBLE_DUPLICATE_DECIDED', message: expect.stringMatching(new RegExp(`^lead ${kimberly} was already decided duplicate at \\d{4}-`)) });
    const unknown = await call({ method: 'POST', url: '/v1/possible-duplicates/nobody', payload: { decision: 'distinct' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ code: 'POSSIBLE_DUPLICATE_NOT_FOUND', message: 'no possible duplicate with lead id "nobody" for this tenant' });
    const bad = await call({ method: 'POST', url: `/v1/possible-duplicates/${kimberly}`, payload: { decision: 'maybe' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'INVALID_DECISION', message: 'send {"decision": "duplicate"} (the same person: merge) or {"decision": "distinct"} (two people)' });
    for (const [query, message] of [
      ['status=closed', 'status must be one of open, duplicate, distinct, not "closed"'],
      ['limit=0', 'limit must be a whole number from 1 to 1000'],
      ['limit=ten', 'limit must be a whole number from 1 to 1000'],
      ['after=page-2', 'after must be the "next" of the page before (a lead id)'],
    ]) {
      const res = await call({ method: 'GET', url: `/v1/possible-duplicates?${query}` });
      expect([res.statusCode, res.json()]).toEqual([400, { code: 'INVALID_QUERY', message }]);
    }
  });

  it('sets and lists dedup policies for the tenant and for one supplier, refusing a bad one with its reason', async () => {
    const saved: { tenantId: string; supplier: string; policy: object }[] = [];
    const service = createJobService({
      jobs: createSqlJobStore(db), exports: () => [][Symbol.iterator]() as never, uploads: recorded.sink, dnc, maxUploadBytes: 1000, ...outbound,
      policies: { list: async () => saved.map((p) => ({ supplier: p.supplier, policy: p.policy, updatedAt: '2026-11-23T00:00:00.000Z' })), save: async (tenantId, supplier, policy) => void saved.push({ tenantId, supplier, policy }) },
    });
    const api = await buildRestApp({ service, logger: createLogger({ name: 'test', level: 'silent' }), maxUploadBytes: 1000, keys: createSqlApiKeyStore(db) });
    const asAdmin = withKey(api, adminKey);
    const ok = await asAdmin({ method: 'PUT', url: '/v1/dedup/policy', payload: { supplier: 'acme', policy: { lookbackDays: 30, fuzzy: false } } });
    expect(ok.json()).toEqual({ supplier: 'acme', policy: { lookbackDays: 30, fuzzy: false } });
    expect(saved).toEqual([{ tenantId: 't1', supplier: 'acme', policy: { lookbackDays: 30, fuzzy: false } }]);
    const bad = await asAdmin({ method: 'PUT', url: '/v1/dedup/policy', payload: { policy: { lookbackDays: -1 } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      code: 'INVALID_DEDUP_POLICY',
      message: 'lookbackDays must be a whole number of days, 0 for all stored leads; send {"supplier"?: "...", "policy": {...}}',
    });
    expect((await asAdmin({ method: 'GET', url: '/v1/dedup/policies' })).json()).toEqual({
      policies: [{ supplier: 'acme', policy: { lookbackDays: 30, fuzzy: false }, updatedAt: '2026-11-23T00:00:00.000Z' }],
    });
    await api.close();
  });

  it('answers unknown jobs and routes with 404 and a code, never a stack trace', async () => {
    const job = await call({ method: 'GET', url: '/v1/jobs/6f1d2c3b-0000-4000-8000-000000000000' });
    expect(job.statusCode).toBe(404);
    expect(job.json()).toEqual({ code: 'JOB_NOT_FOUND', message: 'no job with id "6f1d2c3b-0000-4000-8000-000000000000" for this tenant' });
    const route = await call({ method: 'GET', url: '/v2/things' });
    expect(route.json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /v2/things' });
    const broken = await call({ method: 'POST', url: '/v1/dnc/numbers', headers: { 'content-type': 'application/json' }, payload: '{"numbers": [' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).not.toMatch(/at .*\.js/);
  });

  it('streams a job as Server-Sent Events until it completes', async () => {
    const created = await call({ method: 'POST', url: '/v1/jobs', ...multipart([{ name: 'file', value: 'email\na@x.com\n', filename: 'a.csv' }]) });
    const id = created.json().id as string;
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/v1/jobs/${id}/events`, { headers: bearer(adminKey) });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const events: { status: string }[] = [];
    let buffer = '';
    const readEvents = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += Buffer.from(value).toString();
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '))!;
          events.push(JSON.parse(data.slice(6)));
          buffer = buffer.slice(end + 2);
          if (events.length === 1) {
            await db.query("INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, completed_at) VALUES ($1, 't1', 1, 1, 1, now())", [id]);
          }
        }
      }
    };
    await readEvents();
    expect(events.map((e) => e.status)).toEqual(['queued', 'completed']);
    expect(events[1]).toMatchObject({ id, counts: { rows: 1, accepted: 1 } });
  });
});
