import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadflowGatewayClient } from '@leadflow/proto';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  createKeyWithCli,
  devSecretKeys,
  freePort,
  getJson,
  infraEnv,
  openServerSockets,
  startWebhookReceiver,
  streamUpload,
  tempDir,
  uniqueName,
  waitUntil,
  withApiKey,
  type UploadAnswer,
  type WebhookReceiver,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
const MAX_UPLOAD = 2 * 1024 * 1024;
const MAX_DECOMPRESSED = 16 * 1024 * 1024;

/** Files that fail while they are read (issue 10), with the code each must be answered with. */
const UNREADABLE: { what: string; bytes: () => Buffer; code: string; status: number }[] = [
  { what: '2 MB of zero bytes', bytes: () => Buffer.alloc(2_000_000), code: 'FILE_BINARY', status: 422 },
  { what: 'a 50 MB line', bytes: () => Buffer.concat([Buffer.from('email,name\n'), Buffer.alloc(50 * 1024 * 1024, 'a')]), code: 'ROW_TOO_LONG', status: 422 },
  { what: 'a 100,000-column header', bytes: () => Buffer.from(Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',') + '\nx\n'), code: 'TOO_MANY_COLUMNS', status: 422 },
  {
    what: 'a 20 MB quoted field',
    bytes: () => Buffer.concat([Buffer.from('email,note\na@x.com,"'), Buffer.alloc(20 * 1024 * 1024, 'b'), Buffer.from('"\n')]),
    code: 'ROW_TOO_LONG',
    status: 422,
  },
  // 64 MiB of line ends in 64 KB: no row, only bytes, until the decompressed limit.
  { what: 'a gzip bomb', bytes: () => gzipSync(Buffer.concat([Buffer.from('email\n'), Buffer.alloc(64 * 1024 * 1024, '\n')])), code: 'FILE_TOO_LARGE', status: 413 },
];

/** A lead file of `rows` valid, distinct leads: about 100 bytes a row. */
const leadFile = (rows: number, tag: string) =>
  Buffer.from('first_name,last_name,email,phone\n' + Array.from({ length: rows }, (_, i) => `Ann${i},Refused${tag},ann.${tag}.${i}@example.com,+1201555${String(i % 10_000).padStart(4, '0')}\n`).join(''));

describe('leadflow serve, given uploads that fail', () => {
  let child: ChildProcess;
  let httpPort: number;
  let grpc: LeadflowGatewayClient;
  let receiver: WebhookReceiver;
  let db: SqlClient;
  let output = '';
  /** The tenant of an uploader key the tests send: the jobs they make are its. */
  const tenant = uniqueName('serve-uploads');
  let key: string;

  beforeAll(async () => {
    const grpcPort = await freePort();
    httpPort = await freePort();
    receiver = await startWebhookReceiver();
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    key = await createKeyWithCli(BIN, { DATABASE_URL: infraEnv().DATABASE_URL }, { tenant, role: 'uploader' });
    child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        DATABASE_URL: infraEnv().DATABASE_URL,
        // The installation's keys, as every process on that shared database must have (its webhook secrets).
        LEADFLOW_SECRET_KEYS: devSecretKeys(),
        LEADFLOW_DATA_DIR: join(tempDir('leadflow-serve-uploads-'), 'db'),
        GATEWAY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
        INGEST_MAX_BYTES: String(MAX_DECOMPRESSED),
        LOG_LEVEL: 'warn',
      },
    });
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
    await waitUntil('leadflow serve to listen', () => (output.includes('leadflow serve: REST on') ? true : undefined), { timeoutMs: 120_000, describe: () => output });
    grpc = new LeadflowGatewayClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
  });
  afterAll(async () => {
    grpc?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await receiver?.close();
    await db?.close();
  });

  it.each(UNREADABLE)('fails the job of an upload of $what over REST with $code, and closes its connection', async ({ bytes, code }) => {
    // Chunked, with no length declared: larger than the upload limit, they reach the reader, which finds the problem first.
    const answer = (await streamUpload(httpPort, bytes(), { apiKey: key, chunked: true })) as UploadAnswer;
    expect(answer.status).toBe(202);
    const job = await waitUntil('the job to fail', async () => {
      const j = await getJson<{ status: string; failure: { code: string } }>(httpPort, `/v1/jobs/${answer.body.id}`, key);
      return j.status === 'failed' ? j : undefined;
    });
    expect(job).toMatchObject({ status: 'failed', failure: { code } });
    await waitUntil('the server to close every upload connection', () => (openServerSockets(httpPort) === 0 ? true : undefined), {
      timeoutMs: 15_000,
      describe: () => openServerSockets(httpPort),
    });
  });

  it('takes 40 such uploads, five at a time, failing each, and holds no connection afterwards', async () => {
    const zeros = UNREADABLE[0]!.bytes();
    for (let round = 0; round < 8; round++) {
      const answers = (await Promise.all(Array.from({ length: 5 }, () => streamUpload(httpPort, zeros, { apiKey: key })))) as UploadAnswer[];
      const failures = await Promise.all(answers.map((a) => waitUntil('the job to fail', async () =>
        (await getJson<{ failure?: { code: string } }>(httpPort, `/v1/jobs/${a.body.id}`, key)).failure?.code)));
      expect(failures).toEqual(Array(5).fill('FILE_BINARY'));
    }
    await waitUntil('the server to close every upload connection', () => (openServerSockets(httpPort) === 0 ? true : undefined), {
      timeoutMs: 15_000,
      describe: () => openServerSockets(httpPort),
    });
  });

  it.each(UNREADABLE)('answers an upload of $what over gRPC with its status and $code, before its deadline', async ({ bytes, code, status }) => {
    const file = bytes();
    const err = await new Promise<ServiceError | undefined>((resolve) => {
      let done = false;
      const call = grpc.uploadFile(new Metadata(), { deadline: Date.now() + 120_000 }, (e) => {
        done = true;
        resolve(e ?? undefined);
      });
      call.on('error', () => {});
      (async () => {
        call.write({ metadata: { fileName: 'f.csv', supplier: '', webhookUrl: '', sheet: '', review: false } });
        for (let at = 0; at < file.length && !done; at += 64 * 1024) {
          if (!call.write({ chunk: file.subarray(at, at + 64 * 1024) })) await new Promise((r) => call.once('drain', r));
        }
        if (!done) call.end();
      })().catch(() => {});
    });
    expect(err?.code).toBe(status === 413 ? 8 : 3);
    expect(err?.metadata.get('leadflow-error-code')).toEqual([code]);
    expect(err?.details).toMatch(new RegExp(`^${code}: `));
  });

  /** Once persistence has filed the job's last batch, what of it was stored and delivered. */
  async function keptOf(jobId: string) {
    const progress = await waitUntil(`job ${jobId} to be filed to its end`, async () => {
      const { rows } = await db.query<{ failure_code: string | null; total_rows: number }>('SELECT failure_code, total_rows FROM job_progress WHERE job_id = $1', [jobId]);
      return rows[0]?.failure_code ? rows[0] : undefined;
    });
    const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = $1`, [jobId])).rows[0]!.n;
    return {
      failure: progress.failure_code,
      totalRows: progress.total_rows,
      leads: await count('leads'),
      rejected: await count('rejected_rows'),
      duplicates: await count('duplicate_leads'),
      deliveries: await count('deliveries'),
    };
  }

  it('stores and delivers nothing of an upload refused as too large, and its job says why', async () => {
    const tag = uniqueName('big').slice(4);
    // Past the limit by less than a form's room (64 KiB), so its job begins and the limit is found as the bytes arrive.
    const file = leadFile(32_000, tag).subarray(0, MAX_UPLOAD + 20_000);
    expect(file.length).toBeGreaterThan(MAX_UPLOAD);
    const answer = (await streamUpload(httpPort, file, { fields: { webhook: `${receiver.url}?refused` }, apiKey: key })) as UploadAnswer;
    expect(answer).toMatchObject({ status: 202, body: { id: expect.any(String) } });
    const jobId = answer.body.id!;
    expect(await keptOf(jobId)).toEqual({ failure: 'UPLOAD_TOO_LARGE', totalRows: 0, leads: 0, rejected: 0, duplicates: 0, deliveries: 0 });
    expect(receiver.requests.filter((r) => r.path.endsWith('?refused'))).toEqual([]);
  });

  it('stores and delivers nothing of an upload its client broke off, and its job says why', async () => {
    const tag = uniqueName('cut').slice(4);
    const jobsOf = async () => (await db.query<{ id: string; webhook_url: string; failure_code: string | null }>('SELECT id, webhook_url, failure_code FROM jobs WHERE tenant_id = $1', [tenant])).rows;
    const before = new Set((await jobsOf()).map((j) => j.id));
    expect(await streamUpload(httpPort, leadFile(32_000, tag).subarray(0, MAX_UPLOAD - 100_000), { fields: { webhook: `${receiver.url}?aborted` }, abortAfter: 1024 * 1024, apiKey: key })).toBe('aborted');
    const jobId = await waitUntil('the aborted upload to fail its job', async () => (await jobsOf()).find((j) => !before.has(j.id) && j.failure_code)?.id);
    expect(await keptOf(jobId)).toEqual({ failure: 'UPLOAD_ABORTED', totalRows: 0, leads: 0, rejected: 0, duplicates: 0, deliveries: 0 });
    expect(receiver.requests.filter((r) => r.path.endsWith('?aborted'))).toEqual([]);
  });
});
