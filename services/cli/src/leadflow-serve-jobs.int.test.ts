import { credentials } from '@grpc/grpc-js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStatus, LeadflowGatewayClient, type ListJobErrorsResponse, type ListJobsResponse } from '@leadflow/proto';
import {
  cadenceProblems, createKeyWithCli, fetchWithKey, freePort, generateLeadFile, grpcStatusName, readJobEvents, startServe, startWebhookReceiver, tempDir, waitUntil,
  watchJobOverGrpc, withApiKey, type ServeProcess, type WatchedJob, type WebhookReceiver,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
const ROWS = 6_000;

interface Page {
  jobs: WatchedJob[];
  next: string | null;
}

/**
 * Issue 12's find and watch, as a partner system drives them against `leadflow serve`: a job of
 * a few thousand rows in batches of 100 watched over SSE and gRPC while it runs (60 batches through
 * every stage: 7-9 s on the 2 cores CI runs on; delivery no longer holds the pipeline, it sends from
 * the outbox), its rejected rows read while it runs, and the jobs
 * found by filters, a page at a time.
 */
describe('leadflow serve: find and watch jobs', () => {
  let serve: ServeProcess;
  let receiver: WebhookReceiver;
  let base: string;
  let grpcAddress: string;
  let key: string;
  let api: ReturnType<typeof fetchWithKey>;
  const file = generateLeadFile({ seed: 23, rows: ROWS });
  const expected = (d: string) => file.rows.filter((r) => r.expected === d).length;
  let bigJob: string;

  beforeAll(async () => {
    const dir = tempDir('leadflow-serve-jobs-');
    const dataDir = join(dir, 'db');
    key = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'acme', role: 'admin' });
    api = fetchWithKey(key);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    grpcAddress = `127.0.0.1:${grpcPort}`;
    receiver = await startWebhookReceiver();
    // A slow receiver: the job completes when stored, its delivery goes on after (docs/delivery.md).
    receiver.respondWith({ status: 200, delayMs: 150 });
    serve = await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', BATCH_SIZE: '100' });
  }, 300_000);
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await receiver?.close();
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

  it('sends progress at least once a second while a job of 6,000 rows runs, then completed, then ends: over SSE and gRPC', async () => {
    const dnc = await api(`${base}/v1/dnc/numbers`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: file.dncNumbers.join('\n') });
    expect(dnc.status).toBe(200);
    bigJob = await upload(file.csv, 'big.csv', { supplier: 'Initech', webhook: receiver.url });
    const [sse, grpc] = await Promise.all([readJobEvents(base, key, bigJob), watchJobOverGrpc(grpcAddress, key, bigJob)]);

    expect(cadenceProblems(sse, 'completed')).toEqual([]);
    expect(cadenceProblems(grpc, 'completed')).toEqual([]);
    const running = sse.filter((e) => e.job.status === 'running').map((e) => e.job.progress);
    // While it ran: the percent of the rows ingest counted never went back, and a rate and an end were shown.
    const percents = running.map((p) => p.percent ?? -1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(running.some((p) => p.percent! > 0 && p.percent! < 100 && p.rate! > 0 && p.estimatedEnd !== null)).toBe(true);
    expect(grpc.slice(0, -1).every((e) => grpcStatusName(e.job.status) !== 'completed')).toBe(true);

    // The end: every stage's rows, as the generator made them; the event's job is the job.
    const end = sse.at(-1)!.job;
    const accepted = expected('accepted');
    expect(end.progress.stages).toEqual({
      ingest: { rowsIn: ROWS, rowsOut: { read: ROWS } },
      mapping: { rowsIn: ROWS, rowsOut: { accepted: ROWS - expected('invalid'), invalid: expected('invalid') } },
      dedup: { rowsIn: ROWS - expected('invalid'), rowsOut: { accepted: accepted + expected('suppressed'), duplicate: expected('duplicate') } },
      enrichment: { rowsIn: accepted + expected('suppressed'), rowsOut: { accepted: accepted + expected('suppressed') } },
      dnc: { rowsIn: accepted + expected('suppressed'), rowsOut: { accepted, suppressed: expected('suppressed') } },
      persistence: { rowsIn: ROWS, rowsOut: { accepted, invalid: expected('invalid'), duplicate: expected('duplicate'), suppressed: expected('suppressed') } },
      delivery: { rowsIn: accepted, rowsOut: { delivered: expect.any(Number), failed: 0, pending: expect.any(Number) } },
    });
    expect(end).toMatchObject({ status: 'completed', progress: { percent: 100, rate: null, estimatedEnd: null } });
    // Delivery goes on after the job completes (every row stored): only its figures may have moved since.
    expect(await getJob(bigJob)).toMatchObject({
      ...end,
      counts: { ...end.counts, delivered: expect.any(Number) },
      progress: { ...end.progress, stages: { ...end.progress.stages, delivery: expect.any(Object) } },
      deliveryRate: { perSecond: null, current: expect.any(Number) },
    });
    const grpcEnd = grpc.at(-1)!.job;
    expect([grpcStatusName(grpcEnd.status), grpcEnd.progress?.percent, grpcEnd.progress?.stages.persistence?.rowsIn]).toEqual(['completed', 100, ROWS]);
  });

  it("answers a job's newest rejected rows while it runs, with their reasons and not their cells, over REST and gRPC", async () => {
    const id = await upload(generateLeadFile({ seed: 29, rows: ROWS }).csv, 'running.csv', { webhook: receiver.url });
    const invalid = new Set(generateLeadFile({ seed: 29, rows: ROWS }).rows.filter((r) => r.expected === 'invalid').map((r) => r.row));
    const seen = await waitUntil('rejected rows while the job runs', async () => {
      const res = (await (await api(`${base}/v1/jobs/${id}/errors?limit=5`)).json()) as { errors: { rowNumber: number; reasons: { code: string }[]; detail: string }[] };
      const job = await getJob(id);
      return res.errors.length === 5 && job.status === 'running' ? { errors: res.errors, job } : undefined;
    }, { timeoutMs: 240_000, intervalMs: 100, describe: () => getJob(id) });
    const rows = seen.errors.map((e) => e.rowNumber);
    expect(rows).toEqual([...rows].sort((a, b) => b - a));
    expect(rows.every((r) => invalid.has(r))).toBe(true);
    expect(seen.errors.every((e) => e.reasons.some((r) => r.code === 'NO_CONTACT') && e.detail.includes('no usable contact'))).toBe(true);
    // Rows were still to come: the newest rejected so far is not the file's last.
    expect(seen.job.progress.stages.persistence!.rowsIn).toBeLessThan(ROWS);

    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      await waitUntil('the job to complete', async () => ((await getJob(id)).status === 'completed' ? true : undefined), { timeoutMs: 240_000 });
      const rest = (await (await api(`${base}/v1/jobs/${id}/errors?limit=1000`)).json()) as { errors: { rowNumber: number }[] };
      const grpc = await new Promise<ListJobErrorsResponse>((resolve, reject) => client.listJobErrors({ jobId: id, limit: 1000 }, (err, res) => (err ? reject(err) : resolve(res!))));
      expect(rest.errors.map((e) => e.rowNumber)).toEqual([...invalid].sort((a, b) => b - a).slice(0, 1000));
      expect(grpc.errors.map((e) => e.rowNumber)).toEqual(rest.errors.map((e) => e.rowNumber));
    } finally {
      client.close();
    }
  });

  it('finds jobs by status, supplier, text and time, a page at a time, over REST and gRPC alike', async () => {
    const before = new Date().toISOString();
    const small = [
      await upload('email\na@globex.com\n', 'Globex March.csv', { supplier: 'Globex' }),
      await upload('email\nb@globex.com\n', 'globex-april.csv', { supplier: 'Globex' }),
      await upload('email\nc@hooli.com\n', 'hooli.csv', { supplier: 'Hooli' }),
    ];
    for (const id of small) await waitUntil(`job ${id} to complete`, async () => ((await getJob(id)).status === 'completed' ? true : undefined), { timeoutMs: 240_000 });
    const list = async (query: string) => {
      const res = await api(`${base}/v1/jobs?${query}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Page;
    };
    const ids = async (query: string) => (await list(query)).jobs.map((j) => j.id);

    expect(await ids(`createdFrom=${encodeURIComponent(before)}`)).toEqual([...small].reverse());
    expect(await ids('supplier=Globex')).toEqual([small[1], small[0]]);
    expect(await ids('q=GLOBEX')).toEqual([small[1], small[0]]);
    expect(await ids(`q=${bigJob.slice(4, 20)}`)).toEqual([bigJob]);
    expect(await ids('supplier=Initech&status=completed')).toEqual([bigJob]);
    expect(await ids('status=running,queued,failed')).toEqual([]);

    // Page by page, each page's next for the one after: every job once, newest first.
    const all = await ids('limit=1000');
    expect(all.slice(0, 3)).toEqual([...small].reverse());
    const paged: string[] = [];
    let next: string | null = '';
    for (let i = 0; i < 20 && next !== null; i++) {
      const page = await list(`limit=2${next ? `&after=${next}` : ''}`);
      paged.push(...page.jobs.map((j) => j.id));
      next = page.next;
    }
    expect(paged).toEqual(all);

    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const listJobs = (request: Partial<Parameters<typeof client.listJobs>[0]>) =>
        new Promise<ListJobsResponse>((resolve, reject) =>
          client.listJobs({ status: [], supplier: '', q: '', createdFrom: '', createdTo: '', limit: 0, after: '', ...request }, (err, res) => (err ? reject(err) : resolve(res!))),
        );
      expect((await listJobs({ supplier: 'Globex' })).jobs.map((j) => j.id)).toEqual([small[1], small[0]]);
      expect((await listJobs({ status: [JobStatus.JOB_STATUS_COMPLETED], q: 'hooli' })).jobs.map((j) => j.id)).toEqual([small[2]]);
      const first = await listJobs({ limit: 2 });
      const second = await listJobs({ limit: 2, after: first.next });
      expect([...first.jobs, ...second.jobs].map((j) => j.id)).toEqual(all.slice(0, 4));
      const refused = await listJobs({ createdFrom: 'last week' }).catch((err: { details: string }) => err.details);
      expect(refused).toMatch(/^INVALID_QUERY: createdFrom must be an ISO 8601 date or time/);
    } finally {
      client.close();
    }
  });
});
