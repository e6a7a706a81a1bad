import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  LeadflowGatewayClient, type ConfirmMappingResponse, type GetMappingResponse, type UploadFileRequest, type UploadFileResponse,
} from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { csvRowsByName } from './files.js';
import { uniqueName } from './infra-env.js';
import { callRest } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** A running gateway (`leadflow serve` or Kafka mode) and an uploader's key. */
export interface SeveralFilesContext {
  base: string;
  grpcAddress: string;
  key: string;
  /** How long a small job may take to end on a loaded machine. */
  timeoutMs: number;
}

interface EndedJob {
  id: string;
  status: string;
  fileName: string;
  counts: Record<string, number>;
  failure?: { code: string; message: string };
  files: { name: string; rows: number | null; bytes: number }[];
  supplierId: string | null;
}

/** GET /v1/jobs/{id}/mapping of a job of several files. */
interface SeveralMapping {
  status: string;
  files?: { file: string; status: string; columns: { header: string; field: string; confidence: number }[]; preview: { rowNumber: number; cells: Record<string, string> }[] }[];
}

/**
 * Two files of one supplier with headers of their own: A says "E-mail", B "email_address". B's
 * second row is A's first person again (its email in other case): a duplicate across the files.
 * Each has a row without a contact. 6 rows: 3 accepted, 2 invalid, 1 duplicate.
 */
export function twoFiles(tag: string): { a: string; b: string; ada: string; alan: string; grace: string } {
  const [ada, alan, grace] = ['ada', 'alan', 'grace'].map((n) => `${n}.${tag}@several-files.example`) as [string, string, string];
  return {
    ada, alan, grace,
    a: `First Name,Last Name,E-mail,Phone\nAda,Lovelace,${ada},\nAlan,Turing,${alan},\nNo,Contact,,\n`,
    b: `email_address,given_name,surname,notes\n${grace},Grace,Hopper,first\n${ada.toUpperCase()},Ada,Lovelace,again\n,,,nothing\n`,
  };
}

/**
 * Several files, one job (docs/several-files.md), as a partner system uploads them over REST and
 * gRPC: the tests of one describe block of `leadflow serve` or of Kafka mode, each on its own job.
 */
export function severalFilesScenario(context: () => SeveralFilesContext): void {
  const rest = (method: string, path: string, body?: { form?: FormData; json?: unknown }) => callRest(context().base, context().key, method, path, body);
  const ended = (id: string) =>
    waitUntil(`job ${id} to end`, async () => {
      const job = JSON.parse((await rest('GET', `/v1/jobs/${id}`)).text) as EndedJob;
      return job.status === 'completed' || job.status === 'failed' ? job : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 250 });
  const exported = async (id: string, kind: string) => csvRowsByName((await rest('GET', `/v1/jobs/${id}/exports/${kind}.csv`)).text);
  const form = (files: [string, string | Uint8Array][], fields: Record<string, string> = {}) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    for (const [name, body] of files) f.append('file', new Blob([body], { type: 'text/csv' }), name);
    return f;
  };

  /** What every way in must give for twoFiles: rows numbered within their file, the file named beside each row. */
  async function expectTwoFilesJob(id: string, names: [string, string], emails: ReturnType<typeof twoFiles>) {
    const job = await ended(id);
    expect([job.status, job.failure ?? null]).toEqual(['completed', null]);
    expect(job.counts).toMatchObject({ rows: 6, accepted: 3, invalid: 2, duplicate: 1, suppressed: 0 });
    expect(job.files.map((f) => [f.name, f.rows])).toEqual([[names[0], 3], [names[1], 3]]);
    expect(job.files.every((f) => f.bytes > 0)).toBe(true);

    const leads = await exported(id, 'leads');
    expect(leads.map((l) => [l.row, l.file, l.email, l.first_name, l.notes])).toEqual([
      ['1', names[0], emails.ada, 'Ada', ''],
      ['2', names[0], emails.alan, 'Alan', ''],
      ['1', names[1], emails.grace, 'Grace', 'first'],
    ]);
    const duplicates = await exported(id, 'duplicates');
    expect(duplicates.map((d) => [d.row, d.file, d.matched_row, d.matched_file, d.match_type])).toEqual([['2', names[1], '1', names[0], 'exact_email']]);
    // Each file's cells under its own header: the job's header has both files' columns.
    const rejected = await exported(id, 'rejected');
    expect(rejected.map((r) => [r.row, r.file, r.reason, r['First Name'], r.notes])).toEqual([
      ['3', names[0], 'NO_CONTACT', 'No', ''],
      ['3', names[1], 'NO_CONTACT', '', 'nothing'],
    ]);
    const errors = JSON.parse((await rest('GET', `/v1/jobs/${id}/errors`)).text) as { errors: { rowNumber: number; file: string }[] };
    expect(errors.errors.map((e) => [e.file, e.rowNumber])).toEqual([[names[1], 3], [names[0], 3]]);
  }

  it('makes one job of two files with their own headers over REST: rows numbered per file, a file column, a duplicate across files', async () => {
    const emails = twoFiles(uniqueName('rest'));
    const res = await rest('POST', '/v1/jobs', { form: form([['A.csv', emails.a], ['B.csv', emails.b]], { supplier: 'Several Files Co' }) });
    expect(res.status, res.text).toBe(202);
    const id = (JSON.parse(res.text) as { id: string }).id;
    await expectTwoFilesJob(id, ['A.csv', 'B.csv'], emails);
    const job = await ended(id);
    expect(job.fileName).toBe('A.csv, B.csv');
    // Found by either file's name.
    const found = JSON.parse((await rest('GET', `/v1/jobs?q=${encodeURIComponent('B.csv')}&limit=1000`)).text) as { jobs: { id: string }[] };
    expect(found.jobs.map((j) => j.id)).toContain(id);
  });

  it('makes one job of files sent over gRPC UploadFile with next_file; a name that repeats is numbered', async () => {
    const emails = twoFiles(uniqueName('grpc'));
    const { grpcAddress, key } = context();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const messages: UploadFileRequest[] = [
        { metadata: { fileName: 'leads.csv', supplier: 'Several Files Co', webhookUrl: '', sheet: '', review: false } },
        { chunk: Buffer.from(emails.a.slice(0, 20)) },
        { chunk: Buffer.from(emails.a.slice(20)) },
        { nextFile: { fileName: 'leads.csv' } },
        { chunk: Buffer.from(emails.b) },
      ];
      const answer = await new Promise<UploadFileResponse>((resolve, reject) => {
        const call = client.uploadFile((err: ServiceError | null, res?: UploadFileResponse) => (err ? reject(err) : resolve(res!)));
        for (const m of messages) call.write(m);
        call.end();
      });
      expect(answer.job?.files.map((f) => f.name)).toEqual(['leads.csv', 'leads.csv (2)']);
      await expectTwoFilesJob(answer.job!.id, ['leads.csv', 'leads.csv (2)'], emails);
    } finally {
      client.close();
    }
  });

  it('fails the job with the code of a file that is not a CSV, naming the file; the rows of the files before it kept', async () => {
    const emails = twoFiles(uniqueName('bad'));
    const binary = new Uint8Array(4096).map((_, i) => (i * 7) % 256);
    const res = await rest('POST', '/v1/jobs', { form: form([['good.csv', emails.a], ['photo.csv', binary]]) });
    // Read as it arrives (serve), the refusal may come before the answer; in Kafka mode after it.
    expect([202, 422], res.text).toContain(res.status);
    const id = (JSON.parse(res.text) as { id?: string; jobId?: string });
    const job = await ended((id.id ?? id.jobId)!);
    expect([job.status, job.failure?.code]).toEqual(['failed', 'FILE_BINARY']);
    expect(job.failure?.message).toMatch(/^photo\.csv: /);
    const stored = await waitUntil('the first file\'s rows stored', async () => {
      const seen = JSON.parse((await rest('GET', `/v1/jobs/${job.id}`)).text) as EndedJob;
      return seen.counts.accepted === 2 ? seen : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 250 });
    expect(stored.counts).toMatchObject({ rows: 3, accepted: 2, invalid: 1 });
  });

  it('reviews each file of an upload of several files: one decided (a column corrected) leaves the job waiting; all decided, the rows go on', async () => {
    const emails = twoFiles(uniqueName('review'));
    const supplier = uniqueName('Several Review Co');
    const res = await rest('POST', '/v1/jobs', { form: form([['A.csv', emails.a], ['B.csv', emails.b]], { supplier, review: 'true' }) });
    expect(res.status, res.text).toBe(202);
    const id = (JSON.parse(res.text) as { id: string }).id;
    const mappingOf = async () => JSON.parse((await rest('GET', `/v1/jobs/${id}/mapping`)).text) as SeveralMapping;
    const jobOf = async () => JSON.parse((await rest('GET', `/v1/jobs/${id}`)).text) as EndedJob;
    // Both files mapped and waiting: each with its own header's proposed mapping.
    const proposed = await waitUntil('both files to wait for review', async () => {
      const m = (await rest('GET', `/v1/jobs/${id}/mapping`)).status === 200 ? await mappingOf() : undefined;
      return m?.files?.length === 2 ? m : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 250 });
    expect((await jobOf()).status).toBe('awaiting_review');
    expect(proposed.status).toBe('awaiting_review');
    const fieldsOf = (f: NonNullable<SeveralMapping['files']>[number]) => Object.fromEntries(f.columns.map((c) => [c.header, c.field]));
    const [a, b] = proposed.files!;
    expect([a!.file, a!.status, b!.file, b!.status]).toEqual(['A.csv', 'awaiting_review', 'B.csv', 'awaiting_review']);
    expect(fieldsOf(a!)).toMatchObject({ 'First Name': 'first_name', 'Last Name': 'last_name', 'E-mail': 'email', Phone: 'phone' });
    expect(fieldsOf(b!)).toMatchObject({ email_address: 'email', notes: 'extra' });
    expect(b!.columns.every((c) => c.confidence > 0 && c.confidence <= 1)).toBe(true);
    // B's preview (its first rows, of its first batch) is numbered within B.
    expect(b!.preview.slice(0, 2).map((p) => [p.rowNumber, p.cells.notes])).toEqual([[1, 'first'], [2, 'again']]);

    // B decided over REST, its notes column corrected: A still waits, and so does every row.
    const one = await rest('POST', `/v1/jobs/${id}/mapping`, { json: { file: 'B.csv', fields: { notes: 'source' } } });
    expect(one.status, one.text).toBe(200);
    expect((JSON.parse(one.text) as { files: { file: string }[] }).files.map((f) => f.file)).toEqual(['B.csv']);
    const unknown = await rest('POST', `/v1/jobs/${id}/mapping`, { json: { file: 'C.csv' } });
    expect([unknown.status, unknown.code]).toEqual([400, 'UNKNOWN_FILE']);
    const half = await waitUntil('B.csv to be decided', async () => {
      const m = await mappingOf();
      return m.files?.[1]?.status === 'confirmed' ? m : undefined;
    }, { timeoutMs: context().timeoutMs, intervalMs: 250 });
    expect([half.status, half.files![0]!.status]).toEqual(['awaiting_review', 'awaiting_review']);
    expect(fieldsOf(half.files![1]!)).toMatchObject({ notes: 'source' });
    const waiting = await jobOf();
    expect([waiting.status, waiting.counts.accepted]).toEqual(['awaiting_review', 0]);

    // A decided over gRPC, as it was proposed: the job goes on.
    const { grpcAddress, key } = context();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const seen = await new Promise<GetMappingResponse>((resolve, reject) => client.getMapping({ jobId: id }, (err, r) => (err ? reject(err) : resolve(r!))));
      expect(seen.files.map((f) => [f.file, f.status])).toEqual([['A.csv', 'awaiting_review'], ['B.csv', 'confirmed']]);
      const decided = await new Promise<ConfirmMappingResponse>((resolve, reject) =>
        client.confirmMapping({ jobId: id, fields: {}, file: 'A.csv' }, (err, r) => (err ? reject(err) : resolve(r!))),
      );
      expect(decided.files.map((f) => f.file)).toEqual(['A.csv']);
    } finally {
      client.close();
    }

    const job = await ended(id);
    expect([job.status, job.failure ?? null]).toEqual(['completed', null]);
    expect(job.counts).toMatchObject({ rows: 6, accepted: 3, invalid: 2, duplicate: 1, suppressed: 0 });
    expect((await mappingOf()).status).toBe('confirmed');
    // Rows numbered within their file; the corrected column read as the source in B's rows only.
    const leads = await exported(id, 'leads');
    expect(leads.map((l) => [l.row, l.file, l.email, l.first_name, l.source])).toEqual([
      ['1', 'A.csv', emails.ada, 'Ada', ''],
      ['2', 'A.csv', emails.alan, 'Alan', ''],
      ['1', 'B.csv', emails.grace, 'Grace', 'first'],
    ]);
    // The person in both files: B's row a duplicate of A's.
    const duplicates = await exported(id, 'duplicates');
    expect(duplicates.map((d) => [d.row, d.file, d.matched_row, d.matched_file, d.match_type])).toEqual([['2', 'B.csv', '1', 'A.csv', 'exact_email']]);

    // The supplier's mapping learned each file's header as decided.
    const learned = JSON.parse((await rest('GET', `/v1/suppliers/${job.supplierId}/mapping`)).text) as { mapping: { header: string; field: string; learnedBy: string; jobId: string | null }[] };
    const entry = (header: string) => learned.mapping.find((m) => m.header === header);
    expect([entry('notes'), entry('E-mail'), entry('email_address')].map((e) => [e?.field, e?.learnedBy, e?.jobId])).toEqual([
      ['source', 'review', id],
      ['email', 'review', id],
      ['email', 'review', id],
    ]);
  });
}
