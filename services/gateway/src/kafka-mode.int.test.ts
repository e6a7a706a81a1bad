import { credentials, Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStatus, LeadflowGatewayClient, type Job, type WatchJobResponse } from '@leadflow/proto';
import { createPostgres, createRedis, type SqlClient } from '@leadflow/stores';
import { createSqlApiKeyStore } from './index.js';
import {
  fetchWithKey,
  freePort,
  generateLeadFile,
  infraEnv,
  misfiled,
  replayHint,
  startServices,
  startWebhookReceiver,
  streamUpload,
  testSeed,
  uniqueName,
  waitUntil,
  withApiKey,
  type ServicesHandle,
  type UploadAnswer,
  type WebhookReceiver,
} from '@leadflow/testkit';

interface JobJson {
  id: string;
  status: string;
  counts: Record<string, number>;
  failure?: { code: string; message: string };
}

/** Large enough for every file the tests below mean to be read; the refused upload is larger. */
const MAX_UPLOAD = 2_000_000;

const seed = testSeed();
const replay = replayHint(seed, 'services/gateway/src/kafka-mode.int.test.ts');

describe(`the eight services in Kafka mode, end to end over REST and gRPC, generated files of seed ${seed}`, () => {
  /** The tenant of the admin key every call carries: the jobs and leads below are its. */
  const tenant = uniqueName('tenant');
  let key: string;
  /** fetch with that key, for every route but the open ones. */
  let api: ReturnType<typeof fetchWithKey>;
  let services: ServicesHandle;
  let receiver: WebhookReceiver;
  let db: SqlClient;
  let rest: string;
  let httpPort: number;
  let grpc: LeadflowGatewayClient;

  beforeAll(async () => {
    const [grpcPort, metricsPortBase] = [await freePort(), 19_300 + (seed % 500) * 10];
    httpPort = await freePort();
    receiver = await startWebhookReceiver();
    // Each stage replica works on two jobs at once, as the chart runs dedup: the tests below
    // upload files side by side, and every row must still be filed once.
    services = await startServices({
      env: infraEnv(),
      httpPort,
      grpcPort,
      metricsPortBase,
      extraEnv: {
        BATCH_SIZE: '40', LOG_LEVEL: 'warn', DELIVERY_TIMEOUT_MS: '5000', KAFKA_CONCURRENT_PARTITIONS: '2',
        GATEWAY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
        // One test sends 12 uploads of the tenant at once; by default a tenant may send 8 (more answer 429).
        GATEWAY_MAX_UPLOADS_PER_TENANT: '12',
        // Short, for the stalled-job test; the other tests wait for jobs to end, whatever they show meanwhile.
        GATEWAY_JOB_STALLED_AFTER_MS: '4000',
      },
    });
    rest = `http://127.0.0.1:${httpPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // The gateway has made its tables: a key of a new tenant in them, as leadflow keys create does on DATABASE_URL.
    key = (await createSqlApiKeyStore(db).create({ tenant, role: 'admin', name: 'kafka-mode test' })).key;
    api = fetchWithKey(key);
    grpc = new LeadflowGatewayClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
  });

  afterAll(async () => {
    grpc?.close();
    await services?.stop();
    await receiver?.close();
    await db?.close();
  });

  const getJob = async (id: string): Promise<JobJson> => (await (await api(`${rest}/v1/jobs/${id}`)).json()) as JobJson;
  const finished = (id: string) =>
    waitUntil(`job ${id} to finish`, async () => {
      const job = await getJob(id);
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    }, { timeoutMs: 240_000, describe: () => getJob(id) });

  async function uploadRest(csv: string, fields: Record<string, string>): Promise<{ status: number; body: JobJson }> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'leads.csv');
    const res = await api(`${rest}/v1/jobs`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as JobJson };
  }

  async function storedDispositions(jobId: string): Promise<Map<number, string>> {
    const got = new Map<number, string>();
    for (const [table, d] of [['leads', 'accepted'], ['duplicate_leads', 'duplicate'], ['rejected_rows', 'invalid'], ['suppressed_leads', 'suppressed']]) {
      const { rows } = await db.query<{ row_number: number }>(`SELECT row_number FROM ${table} WHERE job_id = $1`, [jobId]);
      for (const r of rows) {
        expect(got.has(r.row_number), `row ${r.row_number} is in two tables`).toBe(false);
        got.set(r.row_number, d!);
      }
    }
    return got;
  }

  let firstJob: JobJson;
  let firstFile: ReturnType<typeof generateLeadFile>;

  it(`files every row of an upload in the table its disposition names (seed ${seed})`, async () => {
    firstFile = generateLeadFile({ seed, rows: 300 });
    const dnc = await api(`${rest}/v1/dnc/numbers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: [...firstFile.dncNumbers, 'not a number'] }),
    });
    expect(dnc.status).toBe(200);
    expect(await dnc.json()).toMatchObject({ rejected: ['not a number'] });

    const upload = await uploadRest(firstFile.csv, { supplier: 'acme', webhook: receiver.url });
    expect(upload.status).toBe(202);
    expect(upload.body).toMatchObject({ status: expect.stringMatching(/queued|running/), counts: expect.any(Object) });

    firstJob = await finished(upload.body.id);
    const count = (d: string) => firstFile.rows.filter((r) => r.expected === d).length;
    expect(firstJob).toMatchObject({
      status: 'completed',
      counts: { rows: 300, accepted: count('accepted'), invalid: count('invalid'), duplicate: count('duplicate'), suppressed: count('suppressed') },
    });
    const got = await storedDispositions(firstJob.id);
    expect(misfiled(firstFile, got), replay).toEqual([]);

    const audited = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dnc_audit WHERE job_id = $1 AND listed', [firstJob.id]);
    expect(audited.rows[0]!.n).toBe(count('suppressed'));
  });

  it('delivers exactly the accepted leads to the job webhook, and counts them', async () => {
    const job = await waitUntil('every accepted lead delivered', async () => {
      const j = await getJob(firstJob.id);
      return j.counts.delivered === j.counts.accepted ? j : undefined;
    }, { describe: () => getJob(firstJob.id) });
    const delivered = receiver.requests.flatMap((r) => (JSON.parse(r.body) as { data: { leads: { row: number }[] } }).data.leads.map((l) => l.row));
    const accepted = firstFile.rows.filter((r) => r.expected === 'accepted').map((r) => r.row);
    expect(delivered.sort((a, b) => a - b)).toEqual(accepted);
    expect(job.counts.delivered).toBe(accepted.length);
  });

  it('shows how the columns were mapped, with confidence and evidence, over REST and gRPC', async () => {
    const res = await api(`${rest}/v1/jobs/${firstJob.id}/mapping`);
    const { columns } = (await res.json()) as { columns: { header: string; field: string; confidence: number; evidence: string[] }[] };
    expect(columns.map((c) => [c.header, c.field])).toEqual([
      ['First Name', 'first_name'], ['Last Name', 'last_name'], ['Email Address', 'email'], ['Phone', 'phone'], ['Company', 'company'],
      ['Street', 'street'], ['City', 'city'], ['Zip', 'postal_code'], ['Notes', 'extra'],
    ]);
    expect(columns[2]!.evidence).toEqual(['header is "email address"', expect.stringMatching(/^\d+% of values look like emails$/)]);
    const viaGrpc = await new Promise<{ header: string; field: string }[]>((resolve, reject) =>
      grpc.getMapping({ jobId: firstJob.id }, (err, r) => (err ? reject(err) : resolve(r!.columns))),
    );
    expect(viaGrpc.map((c) => c.field)).toEqual(columns.map((c) => c.field));
  });

  it('holds a job uploaded for review until a person confirms its mapping, then files every row as they decided', async () => {
    const rows = 100;
    const csv = ['Mail,Code,Tel', ...Array.from({ length: rows }, (_, i) => `r${i}.${seed}@review-${seed}.com,C-${i},`)].join('\n');
    const upload = await uploadRest(csv, { supplier: `reviewer-${seed}`, review: 'true' });
    expect(upload.status).toBe(202);
    const id = upload.body.id;
    const mapping = await waitUntil('the job to await review', async () => {
      const res = await api(`${rest}/v1/jobs/${id}/mapping`);
      const body = (await res.json()) as { status: string; columns: { header: string; field: string }[]; preview: { rowNumber: number; fields: Record<string, string> }[] };
      // Every batch (40 rows each here) is held before the job shows as waiting.
      const held = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM parked_batches WHERE job_id = $1', [id]);
      return res.status === 200 && held.rows[0]!.n === 3 ? body : undefined;
    }, { timeoutMs: 60_000 });
    expect(mapping.status).toBe('awaiting_review');
    expect(mapping.columns.map((c) => [c.header, c.field])).toEqual([['Mail', 'email'], ['Code', 'extra'], ['Tel', 'phone']]);
    expect(mapping.preview).toHaveLength(10);
    expect(mapping.preview[0]).toMatchObject({ rowNumber: 1, fields: { email: `r0.${seed}@review-${seed}.com`, 'extra.Code': 'C-0' } });
    expect((await getJob(id)).status).toBe('awaiting_review');
    expect((await db.query('SELECT 1 FROM leads WHERE job_id = $1', [id])).rows).toEqual([]);

    const decided = await api(`${rest}/v1/jobs/${id}/mapping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { Code: 'source' } }),
    });
    expect(decided.status).toBe(200);
    const job = await finished(id);
    expect(job).toMatchObject({ status: 'completed', counts: { rows, accepted: rows, invalid: 0 } });
    const stored = await db.query<{ row_number: number; source: string }>('SELECT row_number, source FROM leads WHERE job_id = $1 ORDER BY row_number', [id]);
    expect(stored.rows.map((r) => r.source)).toEqual(Array.from({ length: rows }, (_, i) => `C-${i}`));
    expect((await db.query('SELECT 1 FROM parked_batches WHERE job_id = $1', [id])).rows).toEqual([]);
    const confirmed = await db.query<{ field: string }>('SELECT field FROM supplier_mappings WHERE supplier = $1 AND header = $2', [`reviewer-${seed}`, 'code']);
    expect(confirmed.rows).toEqual([{ field: 'source' }]);
  });

  it('exports the rejected rows as the supplier sent them, with their reasons, and the leads as stored', async () => {
    const rejected = await api(`${rest}/v1/jobs/${firstJob.id}/exports/rejected.csv`);
    expect(rejected.status).toBe(200);
    expect(rejected.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(await rejected.text(), { columns: true }) as Record<string, string>[];
    const invalid = firstFile.rows.filter((r) => r.expected === 'invalid');
    expect(rows.map((r) => Number(r.row))).toEqual(invalid.map((r) => r.row));
    expect(Object.keys(rows[0]!)).toEqual(['row', 'file', 'reason', 'detail', ...firstFile.header]);
    expect(rows.every((r) => r.reason!.split(';').includes('NO_CONTACT'))).toBe(true);

    const leads = parseCsv(await (await api(`${rest}/v1/jobs/${firstJob.id}/exports/leads`)).text(), { columns: true }) as Record<string, string>[];
    expect(leads.map((l) => Number(l.row))).toEqual(firstFile.rows.filter((r) => r.expected === 'accepted').map((r) => r.row));
    const unknown = await api(`${rest}/v1/jobs/${firstJob.id}/exports/everything`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('UNKNOWN_EXPORT');
  });

  it('takes a file over gRPC, streams its progress, and finds duplicates of the earlier job', async () => {
    const { rows } = await db.query<{ id: string; email: string }>('SELECT id, email FROM leads WHERE job_id = $1 AND email IS NOT NULL', [firstJob.id]);
    const leadIdByEmail = new Map(rows.map((r) => [r.email, r.id]));
    const file = generateLeadFile({ seed: seed + 1, rows: 120, earlierEmails: [...leadIdByEmail.keys()] });
    const added = await new Promise<number>((resolve, reject) =>
      grpc.addDncNumbers({ numbers: file.dncNumbers }, (err, res) => (err ? reject(err) : resolve(res!.added))),
    );
    expect(added).toBe(file.dncNumbers.length);

    const uploaded = await new Promise<Job>((resolve, reject) => {
      const call = grpc.uploadFile(new Metadata(), (err, res) => (err ? reject(err) : resolve(res!.job!)));
      call.write({ metadata: { fileName: 'b.csv', supplier: 'globex', webhookUrl: '', sheet: '', review: false } });
      const bytes = Buffer.from(file.csv);
      for (let i = 0; i < bytes.length; i += 1000) call.write({ chunk: bytes.subarray(i, i + 1000) });
      call.end();
    });
    expect(uploaded.id).toMatch(/^[0-9a-f-]{36}$/);

    const updates: Job[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = grpc.watchJob({ id: uploaded.id }) as unknown as ClientReadableStream<WatchJobResponse>;
      stream.on('data', (msg: WatchJobResponse) => updates.push(msg.job!));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const last = updates.at(-1)!;
    expect(last.status).toBe(JobStatus.JOB_STATUS_COMPLETED);
    expect(last.counts?.rows).toBe(120);

    const got = await storedDispositions(uploaded.id);
    expect(misfiled(file, got), replay).toEqual([]);
    const cross = await db.query<{ row_number: number; matched_lead_id: string; matched_job_id: string }>(
      'SELECT row_number, matched_lead_id, matched_job_id FROM duplicate_leads WHERE job_id = $1 AND matched_lead_id IS NOT NULL',
      [uploaded.id],
    );
    const expectedCross = file.rows.filter((r) => r.duplicateOf && 'earlierEmail' in r.duplicateOf);
    expect(cross.rows).toHaveLength(expectedCross.length);
    for (const c of cross.rows) {
      const g = file.rows[c.row_number - 1]!;
      expect(c.matched_lead_id).toBe(leadIdByEmail.get((g.duplicateOf as { earlierEmail: string }).earlierEmail));
      expect(c.matched_job_id).toBe(firstJob.id);
    }
  });

  it('fails a file with an unterminated quote with a reason, keeping the rows before it', async () => {
    const upload = await uploadRest('email,name\nann@acme.com,Ann\nbob@acme.com,"Bob\n', {});
    expect(upload.status).toBe(202);
    const job = await finished(upload.body.id);
    expect(job.status).toBe('failed');
    expect(job.failure?.code).toBe('CSV_UNCLOSED_QUOTE');
    expect(job.failure?.message).toMatch(/^a quoted field is never closed/);
    expect(job.counts.accepted).toBe(1);
  });

  it.each([
    ['an empty file', '', 'FILE_EMPTY', /^the file is empty/],
    ['a binary file', '\u0000\u0001PK\u0003\u0004\u0000', 'FILE_BINARY', /^the file is not text/],
  ])('fails %s with a reason a user understands', async (_what, content, code, message) => {
    const upload = await uploadRest(content, {});
    expect(upload.status).toBe(202);
    const job = await finished(upload.body.id);
    expect(job).toMatchObject({ status: 'failed', failure: { code }, counts: { rows: 0 } });
    expect(job.failure!.message).toMatch(message);
  });

  /** Once persistence has filed the job's last batch: its failure, and what of it was stored and delivered. */
  async function keptOf(jobId: string) {
    const progress = await waitUntil(`job ${jobId} to be filed to its end`, async () => {
      const { rows } = await db.query<{ failure_code: string | null; total_rows: number }>('SELECT failure_code, total_rows FROM job_progress WHERE job_id = $1', [jobId]);
      return rows[0]?.failure_code ? rows[0] : undefined;
    }, { timeoutMs: 120_000 });
    const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = $1`, [jobId])).rows[0]!.n;
    const kept: Record<string, unknown> = { failure: progress.failure_code, totalRows: progress.total_rows };
    for (const table of ['leads', 'duplicate_leads', 'rejected_rows', 'suppressed_leads', 'deliveries']) kept[table] = await count(table);
    return kept;
  }
  const nothingKept = (failure: string) => ({ failure, totalRows: 0, leads: 0, duplicate_leads: 0, rejected_rows: 0, suppressed_leads: 0, deliveries: 0 });
  /** About 2.2 MB of valid, distinct leads: over the upload limit. */
  const bigFile = (tag: string) =>
    Buffer.from('first_name,last_name,email\n' + Array.from({ length: 45_000 }, (_, i) => `Ann${i},Refused,ann.${tag}.${i}@example.com\n`).join(''));

  it('answers 413 with no job when the body declares more than any file within the limit', async () => {
    const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1', [tenant])).rows[0]!.n;
    const file = bigFile(uniqueName('huge'));
    expect(file.length).toBeGreaterThan(MAX_UPLOAD + 64 * 1024);
    expect(await streamUpload(httpPort, file, { apiKey: key })).toMatchObject({ status: 413, body: { code: 'UPLOAD_TOO_LARGE' } });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE tenant_id = $1', [tenant])).rows[0]!.n).toBe(before);
  });

  it('stores and delivers nothing of an upload refused as too large, and its job says why', async () => {
    // Past the limit by less than a form's room: its job begins, and the limit is found as the bytes arrive.
    const file = bigFile(uniqueName('big')).subarray(0, MAX_UPLOAD + 20_000);
    expect(file.length).toBeGreaterThan(MAX_UPLOAD);
    const answer = await streamUpload(httpPort, file, { fields: { webhook: `${receiver.url}?refused` }, apiKey: key });
    // Answered 202 when its job began: the limit is passed after the answer, and fails the job.
    expect(answer).toMatchObject({ status: 202, body: { id: expect.any(String) } });
    const jobId = (answer as UploadAnswer).body.id!;
    expect(await keptOf(jobId)).toEqual(nothingKept('UPLOAD_TOO_LARGE'));
    expect(await getJob(jobId)).toMatchObject({ status: 'failed', failure: { code: 'UPLOAD_TOO_LARGE' }, counts: { rows: 0, accepted: 0, delivered: 0 } });
    expect(receiver.requests.filter((r) => r.path.endsWith('?refused'))).toEqual([]);
  });

  it('stores and delivers nothing of an upload its client broke off, and its job says why', async () => {
    const before = new Set((await db.query<{ id: string }>('SELECT id FROM jobs WHERE tenant_id = $1', [tenant])).rows.map((r) => r.id));
    const file = bigFile(uniqueName('cut')).subarray(0, MAX_UPLOAD - 100_000);
    expect(await streamUpload(httpPort, file, { fields: { webhook: `${receiver.url}?aborted` }, abortAfter: 1_000_000, apiKey: key })).toBe('aborted');
    const jobId = await waitUntil('the broken-off upload to fail its job', async () => {
      const { rows } = await db.query<{ id: string; failure_code: string | null }>('SELECT id, failure_code FROM jobs WHERE tenant_id = $1', [tenant]);
      return rows.find((r) => !before.has(r.id) && r.failure_code)?.id;
    });
    expect(await keptOf(jobId)).toEqual(nothingKept('UPLOAD_ABORTED'));
    expect(receiver.requests.filter((r) => r.path.endsWith('?aborted'))).toEqual([]);
  });

  it('fails 2 MB of zero bytes with FILE_BINARY, and ingest goes on with every upload after it', async () => {
    const answer = (await streamUpload(httpPort, Buffer.alloc(1_900_000), { apiKey: key })) as UploadAnswer;
    // The gateway hands the bytes on without reading them; ingest fails the job.
    expect(answer.status).toBe(202);
    expect(await finished(answer.body.id!)).toMatchObject({ status: 'failed', failure: { code: 'FILE_BINARY' }, counts: { rows: 0 } });
    // Jobs spread over the partitions by id: some of these share the failed upload's, whose chunks kept coming.
    const after = await Promise.all(Array.from({ length: 12 }, (_, i) => uploadRest(`email\nafter.${i}.${tenant}@example.com\n`, {})));
    expect(after.map((u) => u.status)).toEqual(Array(12).fill(202));
    const jobs = await Promise.all(after.map((u) => finished(u.body.id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(12).fill('completed'));
  });

  it('files every row exactly once when ingest and persistence crash in the middle of a job', async () => {
    const file = generateLeadFile({ seed: seed + 2, rows: 5000 });
    await api(`${rest}/v1/dnc/numbers`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: file.dncNumbers.join('\n') });
    const upload = await uploadRest(file.csv, {});
    expect(upload.status).toBe(202);
    const id = upload.body.id;
    await waitUntil('the first rows stored', async () => {
      const { rows } = await db.query<{ stored: number }>('SELECT stored FROM job_progress WHERE job_id = $1', [id]);
      return (rows[0]?.stored ?? 0) > 0 ? true : undefined;
    }, { intervalMs: 20 });
    await Promise.all([services.crashAndRestart('ingest'), services.crashAndRestart('persistence')]);

    const job = await finished(id);
    const count = (d: string) => file.rows.filter((r) => r.expected === d).length;
    expect(job).toMatchObject({
      status: 'completed',
      counts: { rows: 5000, accepted: count('accepted'), invalid: count('invalid'), duplicate: count('duplicate'), suppressed: count('suppressed') },
    });
    const got = await storedDispositions(id);
    expect(got.size).toBe(5000);
    expect(misfiled(file, got), replay).toEqual([]);
  });

  it('delivers every accepted lead under one webhook-id each when a delivery replica is killed mid-job', async () => {
    const file = generateLeadFile({ seed: seed + 5, rows: 2000 });
    // A slow receiver: the kill lands while events are in flight and more are waiting.
    receiver.respondWith((r) => (r.path.endsWith('?kill') ? { status: 200, delayMs: 150 } : 200));
    const upload = await uploadRest(file.csv, { webhook: `${receiver.url}?kill` });
    expect(upload.status).toBe(202);
    const id = upload.body.id;
    const mine = () => receiver.requests.filter((r) => r.path.endsWith('?kill'));
    await waitUntil('the first requests', () => (mine().length > 0 ? true : undefined), { intervalMs: 10 });
    await services.crashAndRestart('delivery');
    const job = await waitUntil('every accepted lead delivered', async () => {
      const j = await getJob(id);
      return j.status === 'completed' && j.counts.delivered === j.counts.accepted ? j : undefined;
    }, { timeoutMs: 240_000 });
    receiver.respondWith(200);
    const idsOfRow = new Map<number, Set<string>>();
    for (const r of mine()) {
      for (const lead of (JSON.parse(r.body) as { data: { leads: { row: number }[] } }).data.leads) {
        idsOfRow.set(lead.row, (idsOfRow.get(lead.row) ?? new Set()).add(String(r.headers['webhook-id'])));
      }
    }
    // Every lead the job accepted arrived (no DNC list loaded here: the file's suppressed rows are accepted).
    expect(job.counts.accepted).toBeGreaterThan(0);
    expect(idsOfRow.size).toBe(job.counts.accepted);
    // A repeat of an id is allowed (the receiver drops it); a lead under two ids is not.
    expect([...idsOfRow.values()].filter((ids) => ids.size !== 1)).toEqual([]);
  });

  it('answers an unknown job with 404 and a code over REST, and NOT_FOUND over gRPC', async () => {
    const unknown = '6f1d2c3b-0000-4000-8000-000000000000';
    const res = await api(`${rest}/v1/jobs/${unknown}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'JOB_NOT_FOUND', message: `no job with id "${unknown}" for this tenant` });
    const bad = await api(`${rest}/v1/jobs/nope`);
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'INVALID_REQUEST']);
    const err = await new Promise<Error & { code?: number }>((resolve) => grpc.getJob({ id: 'nope' }, (e) => resolve(e!)));
    expect(err.code).toBe(5);
    expect(err.message).toMatch(/JOB_NOT_FOUND/);
  });

  it('serves the OpenAPI document at /docs/json and its page at /docs on the gateway', async () => {
    const doc = (await (await fetch(`${rest}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/v1/possible-duplicates', '/healthz']));
    expect((await fetch(`${rest}/docs/`)).status).toBe(200);
  });

  it('counts rows by stage and outcome on each service /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${services.metricsPorts.dnc}/metrics`)).text();
    expect(text).toMatch(/leadflow_stage_rows_total\{stage="dnc",outcome="suppressed"\} [1-9]/);
  });

  it('accepts each person once when two dedup replicas see two files of the same people at once, and again after Redis is emptied', async () => {
    await services.addReplica('dedup');
    // Names no generated file uses: the tenant already holds the 5,000 random leads of the tests above, and
    // this test's own people must be new to it (with those names, a stored Dmitri Baptiste of another town
    // once looked like one of them).
    const GIVEN = ['Auberon', 'Brunhilde', 'Cosimo', 'Delphine', 'Evander', 'Florentyna', 'Gideon', 'Henrike', 'Isolde', 'Jarek'];
    const FAMILY = ['Albrechtsen', 'Bellweather', 'Cavanagh', 'Dragomirov', 'Eberhardt', 'Falkenrath', 'Grimaldi', 'Hollingsworth', 'Ingersoll', 'Jankowiak'];
    const STREET = ['Juniper', 'Harbor', 'Quarry', 'Lantern', 'Orchard', 'Beacon', 'Thistle', 'Magnolia', 'Sycamore', 'Chestnut'];
    const people = Array.from({ length: 100 }, (_, i) => ({
      first: GIVEN[i % 10]!, last: FAMILY[Math.floor(i / 10)]!, number: 100 + ((i * 37 + seed) % 900), street: STREET[(i * 3) % 10]!, zip: String(10_000 + i * 97),
    }));
    // The same hundred people from two suppliers: other emails, a typo in the surname, the street type abbreviated.
    const file = (variant: string, typo: boolean, type: string) =>
      ['First Name,Last Name,Email,Street,City,Zip', ...people.map((p, i) => {
        const last = typo ? p.last.slice(0, 2) + p.last.charAt(3) + p.last.charAt(2) + p.last.slice(4) : p.last;
        return `${p.first},${last},${p.first}.${i}.${variant}.${seed}@example.org,${p.number} ${p.street} ${type},Springfield,${p.zip}`;
      })].join('\n');
    const uploads = await Promise.all([uploadRest(file('a', false, 'Street'), { supplier: 'a' }), uploadRest(file('b', true, 'St'), { supplier: 'b' })]);
    const jobs = await Promise.all(uploads.map((u) => finished(u.body.id)));
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    const [a, b] = await Promise.all(jobs.map((j) => storedDispositions(j.id)));
    const wrong = people.flatMap((_, i) => {
      const pair = [a!.get(i + 1), b!.get(i + 1)].sort();
      return pair[0] === 'accepted' && pair[1] === 'duplicate' ? [] : [`person ${i + 1}: ${pair.join(', ')}`];
    });
    expect(wrong).toEqual([]);
    expect(jobs.map((j) => j.counts.accepted ?? 0).reduce((x, y) => x + y)).toBe(100);

    // Redis emptied: the dedup index is rebuilt from PostgreSQL and a third copy is still caught.
    const redis = createRedis({ url: infraEnv().REDIS_URL });
    await redis.flushall();
    await redis.quit();
    const third = await finished((await uploadRest(file('c', true, 'Street'), { supplier: 'c' })).body.id);
    expect(third).toMatchObject({ status: 'completed', counts: { rows: 100, accepted: 0, duplicate: 100 } });
    const { rows } = await db.query<{ match_type: string; n: number }>(
      'SELECT match_type, count(*)::int AS n FROM duplicate_leads WHERE job_id = $1 GROUP BY match_type', [third.id],
    );
    expect(rows).toEqual([{ match_type: 'fuzzy', n: 100 }]);
  });

  it('shows a job whose rows stop arriving as stalled, over REST, gRPC and in a metric, and finishes it once they move again', async () => {
    const file = generateLeadFile({ seed: seed + 3, rows: 3000 });
    const upload = await uploadRest(file.csv, {});
    expect(upload.status).toBe(202);
    const id = upload.body.id;
    const watched: JobStatus[] = [];
    const watching = new Promise<void>((resolve, reject) => {
      const stream = grpc.watchJob({ id }) as unknown as ClientReadableStream<WatchJobResponse>;
      stream.on('data', (msg: WatchJobResponse) => watched.push(msg.job!.status));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    await waitUntil('the first rows stored', async () => {
      const { rows } = await db.query<{ stored: number }>('SELECT stored FROM job_progress WHERE job_id = $1', [id]);
      return (rows[0]?.stored ?? 0) > 0 ? true : undefined;
    }, { intervalMs: 20 });
    // Persistence stops (frozen, as a process stuck on a dependency): no more rows are stored.
    const persistence = services.pids.persistence;
    process.kill(persistence, 'SIGSTOP');
    try {
      const stalled = await waitUntil('the job shown stalled', async () => {
        const job = await getJob(id);
        return job.status === 'stalled' ? job : undefined;
      }, { describe: () => getJob(id) });
      expect(stalled.counts.accepted).toBeLessThan(3000);
      const viaGrpc = await new Promise<Job>((resolve, reject) => grpc.getJob({ id }, (err, res) => (err ? reject(err) : resolve(res!.job!))));
      expect(viaGrpc.status).toBe(JobStatus.JOB_STATUS_STALLED);
      const gauge = await waitUntil('the stalled job counted on the gateway /metrics', async () => {
        const text = await (await fetch(`http://127.0.0.1:${services.metricsPorts.gateway}/metrics`)).text();
        const n = Number(/^leadflow_gateway_jobs_stalled (\d+)$/m.exec(text)?.[1] ?? 0);
        return n >= 1 ? n : undefined;
      });
      expect(gauge).toBeGreaterThanOrEqual(1);
      // WatchJob polls; held stalled until it has said so (a busy machine can poll past a short stall).
      await waitUntil('WatchJob to send the stalled status', () => (watched.includes(JobStatus.JOB_STATUS_STALLED) ? true : undefined), {
        describe: () => watched,
      });
    } finally {
      process.kill(persistence, 'SIGCONT');
    }
    const job = await finished(id);
    expect(job).toMatchObject({ status: 'completed', counts: { rows: 3000 } });
    await watching;
    expect(watched).toContain(JobStatus.JOB_STATUS_STALLED);
    expect(watched.at(-1)).toBe(JobStatus.JOB_STATUS_COMPLETED);
  });

  it('stops every service on SIGTERM within its grace period', async () => {
    expect(await services.stop()).toEqual([]);
  });
});
