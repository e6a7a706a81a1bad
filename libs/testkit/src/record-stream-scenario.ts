import { credentials, type ServiceError } from '@grpc/grpc-js';
import { LeadflowGatewayClient, type PushRecordsResponse } from '@leadflow/proto';
import { expect, it } from 'vitest';
import { bearer, withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import { callRest, uploadForm } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** A running gateway (`leadflow serve` or Kafka mode) with BATCH_SIZE 2, and an uploader's key. */
export interface RecordStreamContext {
  base: string;
  grpcAddress: string;
  key: string;
  /** How long a small job may take to end on a loaded machine. */
  timeoutMs: number;
}

type Json = Record<string, unknown>;
interface EndedJob {
  id: string;
  status: string;
  fileName: string;
  supplier: string;
  counts: Record<string, number>;
  failure: { code: string; message: string } | null;
}

/**
 * Seven records as a partner's CRM sends them: keys of its own, a key (Mobile) first met in the
 * third batch of two, a nested address, a line that is not JSON, one that is no object, a record
 * with no contact and a repeat of the first lead. 7 rows: 3 accepted, 3 invalid, 1 duplicate.
 */
const NDJSON = [
  '{"First Name":"Ann","Last Name":"Archer","E-mail":"ann.archer@record-streams.example"}',
  '{"First Name":"Ben","E-mail":"ben.baker@record-streams.example","address":{"city":"Boston","zip":"02110"}}',
  '{"First Name": "Bo", "E-mail": bo@record-streams.example}',
  '["not", "an", "object"]',
  '{"First Name":"Cara","Mobile":"(201) 555-0142"}',
  '{"First Name":"Dan","Last Name":"Dale"}',
  '{"First Name":"Ann","Last Name":"Archer","E-mail":"ANN.ARCHER@record-streams.example"}',
  '',
].join('\n');

/**
 * A stream of records becomes a job like a file (docs/record-streams.md), as a partner system
 * drives it over REST and gRPC: the tests of one describe block of `leadflow serve` or of Kafka
 * mode, each on its own job.
 */
export function recordStreamScenario(context: () => RecordStreamContext): void {
  const rest = (method: string, path: string, body?: { json?: unknown; form?: FormData }) => callRest(context().base, context().key, method, path, body);
  const post = async (query: string, type: string, body: string) => {
    const res = await fetch(`${context().base}/v1/jobs${query}`, { method: 'POST', headers: { ...bearer(context().key), 'content-type': type }, body });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** The job once it ended (completed or failed). */
  const ended = (id: string) =>
    waitUntil(`job ${id} to end`, async () => {
      const job = JSON.parse((await rest('GET', `/v1/jobs/${id}`)).text) as EndedJob;
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 250 });
  const rejected = async (id: string) => {
    const res = JSON.parse((await rest('GET', `/v1/jobs/${id}/errors?limit=100`)).text) as { errors: { rowNumber: number; reasons: { code: string; detail: string }[] }[] };
    return res.errors.map((e) => [e.rowNumber, e.reasons.map((r) => r.code).join(';')]).sort(([a], [b]) => Number(a) - Number(b));
  };
  const exported = async (id: string, kind: string) => csvRowsByName((await rest('GET', `/v1/jobs/${id}/exports/${kind}`)).text);

  it('makes a job of an NDJSON body: leads, rejected rows with reasons and counts, a key met only in a later batch mapped', async () => {
    const created = await post('?supplier=Record%20CRM&fileName=crm-export', 'application/x-ndjson', NDJSON);
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body).toMatchObject({ fileName: 'crm-export.ndjson', supplier: 'Record CRM' });
    const job = await ended(created.body.id as string);
    expect([job.status, job.failure ?? null]).toEqual(['completed', null]);
    expect(job.counts).toMatchObject({ rows: 7, accepted: 3, invalid: 3, duplicate: 1, suppressed: 0 });
    expect(await rejected(job.id)).toEqual([
      [3, 'NOT_JSON'],
      [4, 'NOT_AN_OBJECT'],
      [6, 'NO_CONTACT'],
    ]);
    const leads = await exported(job.id, 'leads');
    expect(leads.map((l) => [l.row, l.first_name, l.email, l.phone, l.city])).toEqual([
      ['1', 'Ann', 'ann.archer@record-streams.example', '', ''],
      ['2', 'Ben', 'ben.baker@record-streams.example', '', 'Boston'],
      ['5', 'Cara', '', '+12015550142', ''],
    ]);
    // The mapping knows every key, the late one too: the job's columns are the union, in order of first appearance.
    const mapping = JSON.parse((await rest('GET', `/v1/jobs/${job.id}/mapping`)).text) as { columns: { header: string; field: string }[] };
    expect(mapping.columns.map((c) => c.header)).toEqual(['First Name', 'Last Name', 'E-mail', 'address.city', 'address.zip', 'Mobile']);
    expect(mapping.columns.find((c) => c.header === 'Mobile')?.field).toBe('phone');
  });

  it('makes a job of a JSON array body; an element that is no object is a rejected row, the others kept', async () => {
    const records = [{ email: 'eve.early@record-streams.example' }, 42, { email: 'fay.field@record-streams.example', note: '[a], {b}' }];
    const created = await post('', 'application/json', JSON.stringify(records, null, 2));
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body.fileName).toBe('records.json');
    const job = await ended(created.body.id as string);
    expect(job.counts).toMatchObject({ rows: 3, accepted: 2, invalid: 1 });
    expect(await rejected(job.id)).toEqual([[2, 'NOT_AN_OBJECT']]);
    expect((await exported(job.id, 'leads')).map((l) => l.email)).toEqual(['eve.early@record-streams.example', 'fay.field@record-streams.example']);
  });

  it('fails a JSON array that is never closed with JSON_MALFORMED, keeping the records before it', async () => {
    const created = await post('', 'application/json', '[{"email":"gus.gone@record-streams.example"}, {"email":"hal.half@record-streams.example"');
    // Read as it arrives (serve) the break is known before the answer; over Kafka just after it.
    expect([202, 422]).toContain(created.status);
    const id = (created.body.id ?? created.body.jobId) as string;
    await ended(id);
    // A job fails as soon as its file is found broken; the record before it is stored just after.
    const job = await waitUntil(`the record before the break of job ${id} stored`, async () => {
      const seen = JSON.parse((await rest('GET', `/v1/jobs/${id}`)).text) as EndedJob;
      return seen.counts.accepted === 1 ? seen : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 250, describe: () => rest('GET', `/v1/jobs/${id}`) });
    expect([job.status, job.failure?.code, job.counts.rows, job.counts.accepted]).toEqual(['failed', 'JSON_MALFORMED', 1, 1]);
    expect(job.failure?.message).toContain('1 records read');
  });

  it('refuses a query beside a form (its fields come in the form) and a review value that is no yes or no', async () => {
    const form = await rest('POST', '/v1/jobs?supplier=x', { form: uploadForm('email\na@x.com\n', {}) });
    expect([form.status, form.code]).toEqual([400, 'INVALID_QUERY']);
    const review = await post('?review=maybe', 'application/x-ndjson', '{"email":"a@x.com"}\n');
    expect([review.status, review.body.code]).toEqual([400, 'INVALID_QUERY']);
  });

  it('makes a job of PushRecords: metadata, then records as maps; a key met later is kept, the answer is the job', async () => {
    const { grpcAddress, key } = context();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const answer = await new Promise<PushRecordsResponse>((resolve, reject) => {
        const call = client.pushRecords((err: ServiceError | null, res?: PushRecordsResponse) => (err ? reject(err) : resolve(res!)));
        call.write({ metadata: { fileName: 'partner-push', supplier: 'Push Partner', webhookUrl: '', sheet: '', review: false } });
        call.write({ record: { fields: { name: 'Ivy Irwin', email: 'ivy.irwin@record-streams.example' } } });
        call.write({ record: { fields: { name: 'Jon Jarvis' } } });
        call.write({ record: { fields: { name: 'Kim Kent', email: 'kim@', telephone: '(201) 555-0177' } } });
        call.write({ record: { fields: { name: 'Lou Lane', email: 'ivy.irwin@record-streams.example' } } });
        call.end();
      });
      expect(answer.job).toMatchObject({ fileName: 'partner-push.ndjson', supplier: 'Push Partner' });
      const job = await ended(answer.job!.id);
      expect(job.counts).toMatchObject({ rows: 4, accepted: 2, invalid: 1, duplicate: 1 });
      expect(await rejected(job.id)).toEqual([[2, 'NO_CONTACT']]);
      const leads = await exported(job.id, 'leads');
      expect(leads.map((l) => [l.row, l.full_name, l.phone])).toEqual([
        ['1', 'Ivy Irwin', ''],
        ['3', 'Kim Kent', '+12015550177'],
      ]);
    } finally {
      client.close();
    }
  });

  it('answers PushRecords without metadata first with METADATA_FIRST', async () => {
    const { grpcAddress, key } = context();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const err = await new Promise<ServiceError>((resolve, reject) => {
        const call = client.pushRecords((e: ServiceError | null) => (e ? resolve(e) : reject(new Error('answered without an error'))));
        call.write({ record: { fields: { email: 'a@x.com' } } });
        call.end();
      });
      expect(err.details).toMatch(/^METADATA_FIRST: /);
    } finally {
      client.close();
    }
  });
}
