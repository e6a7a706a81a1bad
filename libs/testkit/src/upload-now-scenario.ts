import { credentials, Metadata } from '@grpc/grpc-js';
import { LeadflowGatewayClient, type Job, type UploadFileResponse } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { multipartBody, startPartialUpload } from './partial-upload.js';
import { getJson } from './stream-upload.js';
import { uniqueName } from './infra-env.js';
import { waitUntil } from './wait-until.js';

/** A running gateway (`leadflow serve` or Kafka mode), an uploader key of a tenant, and its database. */
export interface UploadNowContext {
  httpPort: number;
  grpcAddress: string;
  key: string;
  db: SqlClient;
  /** How long a job of a few ten thousand rows may take on a loaded machine. */
  timeoutMs: number;
}

interface JobJson {
  id: string;
  status: string;
  supplier: string;
  fileName: string;
  bytesReceived: number;
  counts: { rows: number; accepted: number };
  failure?: { code: string; message: string };
  progress: { stages: Record<string, { rowsIn: number }> };
}

/** `rows` distinct valid leads, about 60 bytes a row. */
const leadFile = (rows: number, tag: string) =>
  Buffer.from('first_name,last_name,email\n' + Array.from({ length: rows }, (_, i) => `Ann${i},Now${tag},ann.${tag}.${i}@upload-now.example\n`).join(''));

const KiB = 1024;

/** Rows of a job filed in each of persistence's tables: what it kept. */
async function keptOf(db: SqlClient, jobId: string) {
  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = $1`, [jobId])).rows[0]!.n;
  return {
    leads: await count('leads'),
    rejected: await count('rejected_rows'),
    duplicates: await count('duplicate_leads'),
    suppressed: await count('suppressed_leads'),
    deliveries: await count('deliveries'),
  };
}

/**
 * Upload answers at once (issue 12), as a partner system drives it: a REST client that sends
 * part of a big body, reads the 202 and polls the job while it sends the rest; one that breaks
 * off after the 202; a gRPC client stream whose job is readable from its first message. The
 * tests of one describe block of `leadflow serve` or of Kafka mode.
 */
export function uploadNowScenario(ctx: () => UploadNowContext): void {
  const job = (id: string) => getJson<JobJson>(ctx().httpPort, `/v1/jobs/${id}`, ctx().key);

  it('answers 202 with the job before the body is sent, shows its bytes and rows read growing, applies a field sent after the file', async () => {
    const { httpPort, key, timeoutMs } = ctx();
    const tag = uniqueName('now').slice(4);
    const file = leadFile(30_000, tag);
    const supplier = uniqueName('late-supplier');
    const upload = startPartialUpload(httpPort, multipartBody([{ name: `${tag}.csv`, bytes: file }], {}, { supplier }), { apiKey: key });
    await upload.send(512 * KiB);
    const answer = await upload.answer;
    expect(upload.sent).toBeLessThan(upload.length / 2);
    expect(answer).toMatchObject({ status: 202, body: { status: 'queued', supplier: '' } });
    const id = answer.body.id!;

    // What arrived so far is counted, read into rows, and goes no further while the file is not whole.
    const first = await waitUntil('bytes and rows read of the first part', async () => {
      const j = await job(id);
      return j.bytesReceived >= 256 * KiB && j.progress.stages.ingest!.rowsIn > 0 ? j : undefined;
    }, { timeoutMs, describe: () => job(id) });
    expect(first.progress.stages.mapping!.rowsIn).toBe(0);
    await upload.send(512 * KiB);
    const second = await waitUntil('more bytes received', async () => {
      const j = await job(id);
      return j.bytesReceived > first.bytesReceived && j.progress.stages.ingest!.rowsIn > first.progress.stages.ingest!.rowsIn ? j : undefined;
    }, { timeoutMs, describe: () => job(id) });
    expect({ status: second.status, stored: second.counts.rows, mapped: second.progress.stages.mapping!.rowsIn }).toEqual({ status: 'queued', stored: 0, mapped: 0 });

    await upload.finish();
    const done = await waitUntil('the job to complete', async () => {
      const j = await job(id);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, { timeoutMs, describe: () => job(id) });
    expect(done).toMatchObject({ status: 'completed', supplier, fileName: `${tag}.csv`, bytesReceived: file.length, counts: { rows: 30_000, accepted: 30_000 } });
  });

  it('reads the whole of a several-MB upload sent with fetch, whose client reads the answer while it sends', async () => {
    const { httpPort, key, timeoutMs } = ctx();
    const tag = uniqueName('fetch').slice(6);
    // Few rows, many bytes: 3,000 leads with a 2 KB note each, 6 MB. undici's fetch stops sending
    // a body once it has read a whole answer: the answer must not end before the upload has.
    const note = 'n'.repeat(2000);
    const rows = 3_000;
    const file = Buffer.from(
      'first_name,last_name,email,notes\n' + Array.from({ length: rows }, (_, i) => `Fay${i},Fetch${tag},fay.${tag}.${i}@upload-now.example,${note}\n`).join(''),
    );
    const form = new FormData();
    form.append('supplier', `fetch-${tag}`);
    form.append('file', new Blob([file], { type: 'text/csv' }), `${tag}.csv`);
    const res = await fetch(`http://127.0.0.1:${httpPort}/v1/jobs`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
    const answer = (await res.json()) as JobJson;
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 202, location: `/v1/jobs/${answer.id}` });
    const done = await waitUntil('the job to complete', async () => {
      const j = await job(answer.id);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, { timeoutMs, describe: () => job(answer.id) });
    expect(done).toMatchObject({ status: 'completed', fileName: `${tag}.csv`, counts: { rows, accepted: rows } });
    expect(done.bytesReceived).toBe(file.length);
  });

  it('fails with UPLOAD_ABORTED a job whose client broke off after the 202, keeping nothing of it', async () => {
    const { httpPort, key, db, timeoutMs } = ctx();
    const tag = uniqueName('cut').slice(4);
    const upload = startPartialUpload(httpPort, multipartBody([{ name: `${tag}.csv`, bytes: leadFile(30_000, tag) }]), { apiKey: key });
    await upload.send(1024 * KiB);
    const answer = await upload.answer;
    expect(answer.status).toBe(202);
    const id = answer.body.id!;
    await waitUntil('rows read of what was sent', async () => ((await job(id)).progress.stages.ingest!.rowsIn > 0 ? true : undefined), { timeoutMs, describe: () => job(id) });
    upload.abort();
    const failed = await waitUntil('the job to fail', async () => {
      const j = await job(id);
      return j.status === 'failed' ? j : undefined;
    }, { timeoutMs, describe: () => job(id) });
    expect(failed.failure?.code).toBe('UPLOAD_ABORTED');
    // Persistence files the failure after every batch before it: once it has, nothing more can come.
    await waitUntil('persistence to file the failure', async () => {
      const { rows } = await db.query<{ failure_code: string | null }>('SELECT failure_code FROM job_progress WHERE job_id = $1', [id]);
      return rows[0]?.failure_code ?? undefined;
    }, { timeoutMs });
    expect(await keptOf(db, id)).toEqual({ leads: 0, rejected: 0, duplicates: 0, suppressed: 0, deliveries: 0 });
    expect((await job(id)).counts).toMatchObject({ rows: 0, accepted: 0 });
  });

  it('makes the job of a gRPC upload readable from its first message, its bytes received growing while the stream is open', async () => {
    const { grpcAddress, key, timeoutMs } = ctx();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const fileName = `${uniqueName('grpc-now')}.csv`;
      const file = leadFile(10_000, uniqueName('g').slice(2));
      let answer!: (r: UploadFileResponse | Error) => void;
      const answered = new Promise<UploadFileResponse | Error>((resolve) => (answer = resolve));
      const call = client.uploadFile(new Metadata(), (err, res) => answer(err ?? res!));
      const write = (msg: Parameters<typeof call.write>[0]) => new Promise<void>((resolve) => (call.write(msg) ? resolve() : call.once('drain', () => resolve())));
      await write({ metadata: { fileName, supplier: '', webhookUrl: '', sheet: '', review: false } });
      const list = () =>
        new Promise<Job[]>((resolve, reject) =>
          client.listJobs({ status: [], supplier: '', q: fileName, createdFrom: '', createdTo: '', limit: 0, after: '' }, (err, res) => (err ? reject(err) : resolve(res!.jobs))),
        );
      const listed = await waitUntil('the job listed while its stream is open', async () => (await list())[0], { timeoutMs });
      const getJob = () => new Promise<Job>((resolve, reject) => client.getJob({ id: listed.id }, (err, res) => (err ? reject(err) : resolve(res!.job!))));
      expect(await getJob()).toMatchObject({ fileName, bytesReceived: 0 });
      const half = Math.floor(file.length / 2);
      for (let at = 0; at < half; at += 64 * KiB) await write({ chunk: file.subarray(at, Math.min(half, at + 64 * KiB)) });
      await waitUntil('the bytes of the first half received', async () => ((await getJob()).bytesReceived === half ? true : undefined), {
        timeoutMs, describe: getJob,
      });
      for (let at = half; at < file.length; at += 64 * KiB) await write({ chunk: file.subarray(at, Math.min(file.length, at + 64 * KiB)) });
      call.end();
      const res = await answered;
      if (res instanceof Error) throw res;
      expect(res.job).toMatchObject({ id: listed.id, bytesReceived: file.length });
    } finally {
      client.close();
    }
  });
}
