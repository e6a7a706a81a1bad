import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStatus, LeadflowGatewayClient, type ListJobErrorsResponse, type ListJobsResponse } from '@leadflow/proto';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  cadenceProblems, fetchWithKey, freePort, generateLeadFile, grpcStatusName, infraEnv, readJobEvents, startServices, uniqueName, waitUntil, watchJobOverGrpc,
  withApiKey, type ServicesHandle, type WatchedJob,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

const ROWS = 4_000;

/**
 * Issue 12's find and watch in Kafka mode, as a partner system drives them: the eight services,
 * a job of a few thousand rows in batches of 40 watched over SSE and gRPC while it runs, its
 * rejected rows read while it runs, and the tenant's jobs found by filters, page by page.
 */
describe('the gateway in Kafka mode: find and watch jobs', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let base: string;
  let grpcAddress: string;
  let key: string;
  let api: ReturnType<typeof fetchWithKey>;
  const supplier = uniqueName('initech');

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_600 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '40' } });
    base = `http://127.0.0.1:${httpPort}`;
    grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    key = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('acme'), role: 'admin' })).key;
    api = fetchWithKey(key);
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  const upload = async (csv: string, name: string, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([csv]), name);
    const res = await api(`${base}/v1/jobs`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const getJob = async (id: string) => (await (await api(`${base}/v1/jobs/${id}`)).json()) as WatchedJob;

  let bigJob: string;
  const file = generateLeadFile({ seed: 31, rows: ROWS });
  const invalid = file.rows.filter((r) => r.expected === 'invalid').map((r) => r.row);

  it('sends progress at least once a second while the job runs, its rejected rows readable meanwhile, then completed: over SSE and gRPC', async () => {
    bigJob = await upload(file.csv, 'big.csv', { supplier });
    const errorsWhileRunning = waitUntil('rejected rows while the job runs', async () => {
      const res = (await (await api(`${base}/v1/jobs/${bigJob}/errors?limit=3`)).json()) as { errors: { rowNumber: number; reasons: { code: string }[] }[] };
      const job = await getJob(bigJob);
      return res.errors.length === 3 && job.status === 'running' ? { errors: res.errors, job } : undefined;
    }, { timeoutMs: 240_000, intervalMs: 100, describe: () => getJob(bigJob) });
    const [sse, grpc, seen] = await Promise.all([readJobEvents(base, key, bigJob), watchJobOverGrpc(grpcAddress, key, bigJob), errorsWhileRunning]);

    expect(cadenceProblems(sse, 'completed')).toEqual([]);
    expect(cadenceProblems(grpc, 'completed')).toEqual([]);
    // Mapping counted the rows long before persistence stored the last: percent and end were known while it ran.
    const running = sse.filter((e) => e.job.status === 'running').map((e) => e.job.progress);
    expect(running.some((p) => p.percent! > 0 && p.percent! < 100 && p.rate! > 0 && p.estimatedEnd !== null)).toBe(true);
    const percents = running.map((p) => p.percent ?? -1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const end = sse.at(-1)!.job;
    expect(end).toMatchObject({ status: 'completed', progress: { percent: 100, stages: { ingest: { rowsIn: ROWS }, persistence: { rowsIn: ROWS } } } });
    expect(end.progress.stages.mapping!.rowsOut).toEqual({ accepted: ROWS - invalid.length, invalid: invalid.length });
    expect([grpcStatusName(grpc.at(-1)!.job.status), grpc.at(-1)!.job.progress?.stages.persistence?.rowsIn]).toEqual(['completed', ROWS]);

    const rows = seen.errors.map((e) => e.rowNumber);
    expect(rows).toEqual([...rows].sort((a, b) => b - a));
    expect(rows.every((r) => invalid.includes(r)) && seen.errors.every((e) => e.reasons.some((r) => r.code === 'NO_CONTACT'))).toBe(true);
    expect(seen.job.progress.stages.persistence!.rowsIn).toBeLessThan(ROWS);

    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const all = await new Promise<ListJobErrorsResponse>((resolve, reject) => client.listJobErrors({ jobId: bigJob, limit: 1000 }, (err, res) => (err ? reject(err) : resolve(res!))));
      expect(all.errors.map((e) => e.rowNumber)).toEqual([...invalid].sort((a, b) => b - a));
    } finally {
      client.close();
    }
  });

  it("finds the tenant's jobs by status, supplier, text and time, a page at a time, over REST and gRPC alike", async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const small = [
      await upload('email\na@globex.com\n', 'Globex March.csv', { supplier: 'Globex' }),
      await upload('email\nb@globex.com\n', 'globex-april.csv', { supplier: 'Globex' }),
      await upload('email\nc@hooli.com\n', 'hooli.csv', { supplier: 'Hooli' }),
    ];
    for (const id of small) await waitUntil(`job ${id} to complete`, async () => ((await getJob(id)).status === 'completed' ? true : undefined), { timeoutMs: 240_000 });
    const list = async (query: string) => (await (await api(`${base}/v1/jobs?${query}`)).json()) as { jobs: WatchedJob[]; next: string | null };
    const ids = async (query: string) => (await list(query)).jobs.map((j) => j.id);

    expect(await ids(`createdFrom=${encodeURIComponent(before)}`)).toEqual([...small].reverse());
    expect(await ids('supplier=Globex')).toEqual([small[1], small[0]]);
    expect(await ids('q=GLOBEX%20m')).toEqual([small[0]]);
    expect(await ids(`supplier=${supplier}&status=completed`)).toEqual([bigJob]);
    expect(await ids('status=running,queued,failed,stalled,awaiting_review')).toEqual([]);
    const paged: string[] = [];
    let next: string | null = '';
    for (let i = 0; i < 10 && next !== null; i++) {
      const page = await list(`limit=1${next ? `&after=${next}` : ''}`);
      paged.push(...page.jobs.map((j) => j.id));
      next = page.next;
    }
    expect(paged).toEqual([...small].reverse().concat(bigJob));

    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const listJobs = (request: Partial<Parameters<typeof client.listJobs>[0]>) =>
        new Promise<ListJobsResponse>((resolve, reject) =>
          client.listJobs({ status: [], supplier: '', q: '', createdFrom: '', createdTo: '', limit: 0, after: '', ...request }, (err, res) => (err ? reject(err) : resolve(res!))),
        );
      expect((await listJobs({ status: [JobStatus.JOB_STATUS_COMPLETED], supplier: 'Globex' })).jobs.map((j) => j.id)).toEqual([small[1], small[0]]);
      const first = await listJobs({ limit: 2 });
      const second = await listJobs({ limit: 2, after: first.next });
      expect([[...first.jobs, ...second.jobs].map((j) => j.id), second.next]).toEqual([paged, '']);
    } finally {
      client.close();
    }
  });
});
