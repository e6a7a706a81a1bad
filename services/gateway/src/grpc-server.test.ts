import { createRequire } from 'node:module';
import { credentials, loadPackageDefinition, makeGenericClientConstructor, Metadata, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createSqlMappingStore, migrations as mappingMigrations } from '@leadflow/mapping';
import { createSqlLeadStore, decidePossibleDuplicate, listPossibleDuplicates, migrations as persistenceMigrations } from '@leadflow/persistence';
import { emptyLead, leadIdFor, reason } from '@leadflow/pipeline';
import { Disposition, JobStatus, LeadflowGatewayClient, type LeadBatch, type ConfirmMappingResponse, type DecidePossibleDuplicateResponse, type ListPossibleDuplicatesResponse, type GetMappingResponse, type Job, type JobLimits, type MappingDecision } from '@leadflow/proto';
import { createPglite, createSqlDncRegistry, dncListMigrations, migrate, type SqlClient } from '@leadflow/stores';
import { createOutboundRules } from '@leadflow/outbound';
import { isErrorCode } from './error-catalogue.js';
import { withApiKey } from '@leadflow/testkit';
import { createGrpcServer, createJobAdmission, createJobService, createSqlApiKeyStore, createSqlJobStore, exportCsv, migrations, type UploadSink } from './index.js';

const require = createRequire(import.meta.url);

describe('gRPC server', () => {
  let db: SqlClient;
  let server: ReturnType<typeof createGrpcServer>;
  let client: LeadflowGatewayClient;
  const received: Buffer[] = [];
  const uploads: UploadSink = {
    open: () => ({ write: async (c) => void received.push(Buffer.from(c)), end: async () => {}, fail: async () => {} }),
    decide: async (job, decision) => void decisions.push({ jobId: job.jobId, decision }),
  };
  const decisions: { jobId: string; decision: MappingDecision }[] = [];

  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
    await migrate(db, persistenceMigrations);
    await migrate(db, mappingMigrations);
    const service = createJobService({ jobs: createSqlJobStore(db), exports: (kind, jobId, tenantId) => exportCsv(db, kind, jobId, tenantId), uploads, dnc: createSqlDncRegistry(db), maxUploadBytes: 10_000, watchIntervalMs: 20, outbound: createOutboundRules(),
      admission: createJobAdmission({ db, uploads, defaultMaxRunning: 0 }),
      possibleDuplicates: { list: (tenantId, q) => listPossibleDuplicates(db, tenantId, q), decide: (id, tenantId, d) => decidePossibleDuplicate(db, id, tenantId, d) } });
    const keys = createSqlApiKeyStore(db);
    const { key } = await keys.create({ tenant: 't1', role: 'admin' });
    server = createGrpcServer({ service, logger: createLogger({ name: 'test', level: 'silent' }), keys });
    await server.listen(0, '127.0.0.1');
    client = new LeadflowGatewayClient(`127.0.0.1:${server.port}`, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
  });
  afterAll(async () => {
    client.close();
    await server.close(1000);
    await db.close();
  });

  const upload = (messages: object[]) =>
    new Promise<Job>((resolve, reject) => {
      const call = client.uploadFile(new Metadata(), (err, res) => (err ? reject(err) : resolve(res!.job!)));
      for (const m of messages) call.write(m);
      call.end();
    });

  it('takes an upload as metadata then chunks, and watches the job until it completes', async () => {
    const job = await upload([{ metadata: { fileName: 'a.csv', supplier: 'acme', webhookUrl: '' } }, { chunk: Buffer.from('email\n') }, { chunk: Buffer.from('a@x.com\n') }]);
    expect(job).toMatchObject({ status: JobStatus.JOB_STATUS_QUEUED, supplier: 'acme', fileName: 'a.csv' });
    expect(Buffer.concat(received).toString()).toBe('email\na@x.com\n');

    const seen: number[] = [];
    let firstSeen!: () => void;
    const first = new Promise<void>((resolve) => (firstSeen = resolve));
    const done = new Promise<void>((resolve, reject) => {
      const stream = client.watchJob({ id: job.id });
      stream.on('data', (m: { job: Job }) => {
        seen.push(m.job.status);
        firstSeen();
      });
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    await first;
    await db.query("INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted) VALUES ($1, 't1', 1, 0, 0)", [job.id]);
    await db.query('UPDATE job_progress SET stored = 1, accepted = 1, completed_at = now() WHERE job_id = $1', [job.id]);
    await done;
    expect(seen[0]).toBe(JobStatus.JOB_STATUS_QUEUED);
    expect(seen.at(-1)).toBe(JobStatus.JOB_STATUS_COMPLETED);
  });

  it('streams a job\'s rejected rows as CSV, with their reasons and cells as sent', async () => {
    const job = await upload([{ metadata: { fileName: 'r.csv', supplier: '', webhookUrl: '', sheet: '', review: false } }, { chunk: Buffer.from('x') }]);
    // The header comes from the mapping the job was read with.
    await createSqlMappingStore(db).saveJobMapping({ jobId: job.id, tenantId: 't1', supplier: '' }, {
      status: 'automatic', preview: [],
      columns: [{ header: 'Name', field: 'full_name', confidence: 0.9, evidence: [] }, { header: 'Email', field: 'email', confidence: 0.9, evidence: [] }],
    });
    await db.query(
      `INSERT INTO rejected_rows (job_id, row_number, tenant_id, raw, reasons) VALUES
         ($1, 2, 't1', '{"Name": "Bob", "Email": "not-an-email"}', '[{"code": "INVALID_EMAIL", "field": "email"}, {"code": "NO_CONTACT"}]')`,
      [job.id],
    );
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.exportRows({ jobId: job.id, kind: 'rejected' });
      stream.on('data', (m: { csv: string }) => chunks.push(m.csv));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(chunks.join('')).toBe(
      'row,file,reason,detail,Name,Email\r\n' +
        '2,r.csv,INVALID_EMAIL;NO_CONTACT,"email: the email address is not valid; no usable contact: give a valid email, a valid phone number, or a street with a city or postal code",Bob,not-an-email\r\n',
    );
    const err = await new Promise<Error & { code?: number }>((resolve) => {
      const stream = client.exportRows({ jobId: job.id, kind: 'everything' });
      stream.on('data', () => {});
      stream.on('error', resolve);
    });
    expect(err.code).toBe(5);
  });

  it("downloads a finished job's leads as byte chunks that join to its leads export, over several pages; FAILED_PRECONDITION before", async () => {
    const job = await upload([{ metadata: { fileName: 'many.csv', supplier: '', webhookUrl: '', sheet: '', review: false } }, { chunk: Buffer.from('x') }]);
    const download = () =>
      new Promise<{ chunks: Buffer[]; error?: Error & { code?: number; details?: string } }>((resolve) => {
        const chunks: Buffer[] = [];
        const stream = client.downloadJob({ jobId: job.id });
        stream.on('data', (m: { chunk: Buffer }) => chunks.push(Buffer.from(m.chunk)));
        stream.on('end', () => resolve({ chunks }));
        stream.on('error', (error) => resolve({ chunks, error }));
      });
    const early = await download();
    expect([early.error?.code, early.error?.details?.split(':')[0]]).toEqual([9, 'JOB_NOT_FINISHED']);

    // 2,500 leads: three pages of the keyset read, and many 64 KiB messages.
    const rows = Array.from({ length: 2500 }, (_, i): LeadBatch['rows'][number] => ({
      rowNumber: i + 1, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0, raw: [], leadId: leadIdFor(job.id, i + 1), match: undefined,
      lead: { ...emptyLead(), firstName: i === 1700 ? '@SUM(A1:A9)' : `Ann${i}`, email: `many${i}@x.com`, emailKey: `many${i}@x.com` },
    }));
    await createSqlLeadStore(db).storeBatch({
      job: { jobId: job.id, tenantId: 't1', supplier: '', webhookUrl: '', fileName: 'many.csv', sheet: '', review: false },
      seq: 0, header: ['email'], mapping: [], last: false, totalRows: 0, failure: undefined, rows,
    });
    await db.query(
      `INSERT INTO job_progress (job_id, tenant_id, total_rows, stored, accepted, completed_at) VALUES ($1, 't1', 2500, 2500, 2500, now())
         ON CONFLICT (job_id) DO UPDATE SET completed_at = now()`,
      [job.id],
    );
    const done = await download();
    expect(done.error).toBeUndefined();
    expect(done.chunks.length).toBeGreaterThan(3);
    const bytes = Buffer.concat(done.chunks);
    let exported = '';
    for await (const line of exportCsv(db, 'leads', job.id, 't1')) exported += line;
    expect(bytes.equals(Buffer.from(exported, 'utf8'))).toBe(true);
    const lines = bytes.toString('utf8').split('\r\n');
    expect(lines.length).toBe(2502);
    expect(lines.slice(1, -1).map((l) => Number(l.split(',')[0]))).toEqual(rows.map((r) => r.rowNumber));
    expect(lines[1701]).toContain(`,"'@SUM(A1:A9)",`);

    const unknown = await new Promise<Error & { code?: number }>((resolve) => {
      const stream = client.downloadJob({ jobId: '00000000-0000-4000-8000-000000000000' });
      stream.on('data', () => {});
      stream.on('error', resolve);
    });
    expect(unknown.code).toBe(5);
  });

  it('reviews a mapping: the job awaits review, GetMapping shows the preview, ConfirmMapping sends the decision on', async () => {
    const job = await upload([{ metadata: { fileName: 'r.csv', supplier: 'acme', webhookUrl: '', sheet: '', review: true } }, { chunk: Buffer.from('x') }]);
    await createSqlMappingStore(db).saveJobMapping({ jobId: job.id, tenantId: 't1', supplier: 'acme' }, {
      status: 'awaiting_review',
      columns: [{ header: 'Code', field: 'extra', confidence: 0.4, evidence: [] }],
      preview: [{ rowNumber: 1, cells: { Code: 'Q7' }, fields: { 'extra.Code': 'Q7' } }],
    });
    const got = await new Promise<Job>((resolve, reject) => client.getJob({ id: job.id }, (err, res) => (err ? reject(err) : resolve(res!.job!))));
    expect(got.status).toBe(JobStatus.JOB_STATUS_AWAITING_REVIEW);
    const mapping = await new Promise<GetMappingResponse>((resolve, reject) =>
      client.getMapping({ jobId: job.id }, (err, res) => (err ? reject(err) : resolve(res!))),
    );
    expect(mapping).toEqual({
      columns: [{ header: 'Code', field: 'extra', confidence: 0.4, evidence: [] }],
      status: 'awaiting_review',
      preview: [{ rowNumber: 1, cells: { Code: 'Q7' }, fields: { 'extra.Code': 'Q7' } }],
      // A job of one file: no files of their own.
      files: [],
    });
    const confirm = (fields: Record<string, string>) =>
      new Promise<ConfirmMappingResponse>((resolve, reject) => client.confirmMapping({ jobId: job.id, fields, file: '' }, (err, res) => (err ? reject(err) : resolve(res!))));
    await expect(confirm({ Code: 'coupon' })).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/^UNKNOWN_FIELD: "coupon" is not a lead field/) });
    const res = await confirm({ Code: 'source' });
    expect(res.columns).toEqual([{ header: 'Code', field: 'source', confidence: 1, evidence: ['set by a person (proposed: extra)'] }]);
    expect(decisions).toEqual([{ jobId: job.id, decision: { columns: res.columns, fileIndex: 0 } }]);
  });

  it('answers an unknown lead and an unknown merge with NOT_FOUND', async () => {
    const noLead = await new Promise<Error & { code?: number; details?: string }>((resolve) =>
      client.listMerges({ leadId: '6f1c1a52-8a4b-5d8e-9a51-0d4a3c1f2b7e' }, (e) => resolve(e!)),
    );
    expect(noLead).toMatchObject({ code: 5, details: 'LEAD_NOT_FOUND: no lead with id "6f1c1a52-8a4b-5d8e-9a51-0d4a3c1f2b7e" for this tenant' });
    const err = await new Promise<Error & { code?: number; details?: string }>((resolve) => client.revertMerge({ id: '42' }, (e) => resolve(e!)));
    expect(err).toMatchObject({ code: 5, details: 'MERGE_NOT_FOUND: no merge with id "42" for this tenant' });
  });

  it('lists possible duplicates and takes a decision on one, once', async () => {
    const store = createSqlLeadStore(db);
    const flagged = (jobId: string, lead: object, mayCopy?: string) =>
      store.storeBatch({
        job: { jobId, tenantId: 't1', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
        seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
        rows: [{
          rowNumber: 1, lead: { ...emptyLead(), ...lead }, disposition: Disposition.DISPOSITION_ACCEPTED, qualityScore: 0, raw: [], leadId: leadIdFor(jobId, 1),
          reasons: mayCopy ? [reason('POSSIBLE_DUPLICATE', '', `lead ${mayCopy}, score 0.5500`)] : [], tags: mayCopy ? ['possible_duplicate'] : [],
          match: mayCopy ? { matchedJobId: 'grpc-a', matchedRow: 0, matchedLeadId: mayCopy, matchType: 'possible', score: 0.55 } : undefined,
        }],
      });
    await flagged('grpc-a', { firstName: 'Lou', lastName: 'Reed', email: 'lou@acme.com' });
    await flagged('grpc-b', { firstName: 'Louise', lastName: 'Reed', email: 'louise@acme.com' }, leadIdFor('grpc-a', 1));
    const louise = leadIdFor('grpc-b', 1);
    const page = await new Promise<ListPossibleDuplicatesResponse>((resolve, reject) =>
      client.listPossibleDuplicates({ status: '', limit: 0, after: '' }, (err, res) => (err ? reject(err) : resolve(res!))),
    );
    expect(page.possibleDuplicates.map((p) => [p.leadId, p.matchedLeadId, p.status, p.decidedAt])).toEqual([[louise, leadIdFor('grpc-a', 1), 'open', '']]);
    const decide = (decision: string) =>
      new Promise<DecidePossibleDuplicateResponse>((resolve, reject) => client.decidePossibleDuplicate({ leadId: louise, decision }, (err, res) => (err ? reject(err) : resolve(res!))));
    await expect(decide('perhaps')).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/^INVALID_DECISION: /) });
    const decided = await decide('distinct');
    expect(decided.possibleDuplicate).toMatchObject({ leadId: louise, status: 'distinct', decidedAt: expect.stringMatching(/^\d{4}-/) });
    expect(decided.merge).toBeUndefined();
    await expect(decide('duplicate')).rejects.toMatchObject({ code: 9, details: expect.stringMatching(/^POSSIBLE_DUPLICATE_DECIDED: lead .* was already decided distinct/) });
  });

  it('refuses a dedup policy that cannot be, naming the setting', async () => {
    const err = await new Promise<Error & { code?: number; details?: string }>((resolve) =>
      client.setDedupPolicy({ supplier: 'acme', policy: { duplicateThreshold: 0.5, possibleThreshold: 0.7, compositeKeys: [] } }, (e) => resolve(e!)),
    );
    expect(err).toMatchObject({ code: 3, details: expect.stringMatching(/^INVALID_DEDUP_POLICY: possibleThreshold must not be above duplicateThreshold/) });
    const ok = await new Promise<{ supplier: string; policy?: object }>((resolve, reject) =>
      client.setDedupPolicy({ supplier: 'acme', policy: { lookbackDays: 90, compositeKeys: [{ fields: ['last_name', 'postal_code'] }] } }, (e, r) => (e ? reject(e) : resolve(r!))),
    );
    expect(ok).toEqual({ supplier: 'acme', policy: { lookbackDays: 90, compositeKeys: [{ fields: ['last_name', 'postal_code'] }] } });
  });

  it('ends a watch of an unknown job with NOT_FOUND instead of hanging', async () => {
    const err = await new Promise<Error & { code?: number; details?: string }>((resolve) => {
      const stream = client.watchJob({ id: 'no-such-job' });
      stream.on('data', () => {});
      stream.on('error', resolve);
    });
    expect(err).toMatchObject({ code: 5, details: 'JOB_NOT_FOUND: no job with id "no-such-job" for this tenant' });
  });

  it('refuses an upload whose webhook goes to a non-public address, before any job or byte', async () => {
    received.length = 0;
    const meta = (webhookUrl: string) => ({ metadata: { fileName: 'h.csv', supplier: '', webhookUrl, sheet: '', review: false } });
    await expect(upload([meta('https://0x7f.1/hook'), { chunk: Buffer.from('email\n') }])).rejects.toMatchObject({
      code: 3,
      details: 'WEBHOOK_URL_FORBIDDEN: webhook "https://0x7f.1/hook" is not allowed: 127.0.0.1 is a loopback address; webhooks go to public addresses over https',
    });
    await expect(upload([meta('https://[fd00::1]/hook'), { chunk: Buffer.from('email\n') }])).rejects.toMatchObject({
      code: 3,
      details: 'WEBHOOK_URL_FORBIDDEN: webhook "https://[fd00::1]/hook" is not allowed: fd00::1 is a unique-local address; webhooks go to public addresses over https',
    });
    expect(received).toEqual([]);
  });

  it('takes an upload priority in its metadata and shows it on the job; refuses one not high, normal or low with INVALID_PRIORITY', async () => {
    const job = await upload([{ metadata: { fileName: 'p.csv', supplier: '', webhookUrl: '', sheet: '', review: false, priority: 'high' } }, { chunk: Buffer.from('email\n') }]);
    expect(job.priority).toBe('high');
    const plain = await upload([{ metadata: { fileName: 'q.csv', supplier: '', webhookUrl: '', sheet: '', review: false } }, { chunk: Buffer.from('email\n') }]);
    expect(plain.priority).toBe('normal');
    await expect(upload([{ metadata: { fileName: 'r.csv', supplier: '', webhookUrl: '', sheet: '', review: false, priority: 'urgent' } }, { chunk: Buffer.from('x') }]))
      .rejects.toMatchObject({ code: 3, details: 'INVALID_PRIORITY: priority "urgent" is not one of high, normal, low' });
  });

  it('answers and sets the tenant job limits (GetJobLimits, SetJobLimits); a bad one is INVALID_ARGUMENT INVALID_JOB_LIMITS', async () => {
    const get = () => new Promise<JobLimits>((resolve, reject) => client.getJobLimits({}, (err, res) => (err ? reject(err) : resolve(res!))));
    const set = (maxRunningJobs: number) =>
      new Promise<JobLimits>((resolve, reject) => client.setJobLimits({ maxRunningJobs }, (err, res) => (err ? reject(err) : resolve(res!))));
    expect(await get()).toEqual({ maxRunningJobs: 0 });
    expect(await set(3)).toEqual({ maxRunningJobs: 3 });
    expect(await get()).toEqual({ maxRunningJobs: 3 });
    await expect(set(-1)).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/^INVALID_JOB_LIMITS: maxRunningJobs must be a whole number from 0/) });
    expect(await set(0)).toEqual({ maxRunningJobs: 0 });
  });

  it('refuses an upload that does not start with its metadata', async () => {
    await expect(upload([{ chunk: Buffer.from('x') }])).rejects.toMatchObject({ code: 3, details: 'METADATA_FIRST: send UploadMetadata as the first message, then the file in chunks' });
  });

  it('answers every error with a catalogued code in its details and trailers, and the job an upload created', async () => {
    const meta = { metadata: { fileName: 'big.csv', supplier: '', webhookUrl: '', sheet: '', review: false } };
    const errors = [
      await upload([{ chunk: Buffer.from('x') }]).catch((e: unknown) => e),
      await upload([meta, { chunk: Buffer.alloc(6000) }, { chunk: Buffer.alloc(6000) }]).catch((e: unknown) => e),
      await upload([meta, { chunk: Buffer.from('a') }, meta]).catch((e: unknown) => e),
      await new Promise<unknown>((resolve) => client.getJob({ id: 'no-such-job' }, (e) => resolve(e))),
    ] as (Error & { code: number; details: string; metadata: Metadata })[];
    const seen = errors.map((e) => ({ status: e.code, code: e.metadata.get('leadflow-error-code')[0], job: e.metadata.get('leadflow-job-id').length }));
    expect(seen).toEqual([
      { status: 3, code: 'METADATA_FIRST', job: 0 },
      { status: 8, code: 'UPLOAD_TOO_LARGE', job: 1 },
      // Metadata again after chunks: refused, and the job it had created fails with UPLOAD_REFUSED.
      { status: 3, code: 'METADATA_FIRST', job: 1 },
      { status: 5, code: 'JOB_NOT_FOUND', job: 0 },
    ]);
    for (const e of errors) {
      const code = String(e.metadata.get('leadflow-error-code')[0]);
      expect(isErrorCode(code)).toBe(true);
      expect(e.details.startsWith(`${code}: `)).toBe(true);
    }
    const tooLarge = String(errors[1]!.metadata.get('leadflow-job-id')[0]);
    const job = await new Promise<Job>((resolve, reject) => client.getJob({ id: tooLarge }, (e, r) => (e ? reject(e) : resolve(r!.job!))));
    expect(job).toMatchObject({ status: JobStatus.JOB_STATUS_FAILED, failureCode: 'UPLOAD_TOO_LARGE' });
  });

  it('answers the standard health check with SERVING', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const status = await new Promise<{ status: string }>((resolve, reject) =>
      (health as unknown as { check: Function }).check({ service: 'leadflow.v1.LeadflowGateway' }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))),
    );
    health.close();
    expect(status.status).toBe('SERVING');
  });

  it('lists LeadflowGateway through server reflection', async () => {
    const protoPath = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const pkg = loadPackageDefinition(loadSync(protoPath)) as unknown as { grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } } };
    const reflection = new pkg.grpc.reflection.v1.ServerReflection(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const services = await new Promise<string[]>((resolve, reject) => {
      const call = (reflection as unknown as { serverReflectionInfo: () => NodeJS.EventEmitter & { write: Function; end: Function } }).serverReflectionInfo();
      call.on('data', (res: { listServicesResponse?: { service: { name: string }[] } }) => resolve(res.listServicesResponse!.service.map((s) => s.name)));
      call.on('error', reject);
      call.write({ listServices: '' });
      call.end();
    });
    reflection.close();
    expect(services).toContain('leadflow.v1.LeadflowGateway');
  });
});
