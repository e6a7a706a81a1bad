import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { JobStatus, LeadflowGatewayClient, type Job, type JobLimits } from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { generateLeadFile } from './lead-file.js';
import { waitUntil } from './wait-until.js';

type Name = 'first' | 'low' | 'high';

export interface GrpcQueueScenario {
  /** GetJobLimits before, SetJobLimits' answer, GetJobLimits after. */
  limits: { before: JobLimits; set: JobLimits; after: JobLimits };
  /** SetJobLimits with -1: the status code and the leadflow-error-code trailer. */
  refused: { code: number | undefined; errorCode: string | undefined };
  /** The first job as ListJobs shows it while its upload is still open. */
  firstWhileSending: Job;
  /** UploadFile's answers for the low and the high job. */
  answers: { low: Job; high: Job };
  /**
   * A job seen started (rows stored: any status but queued) while one it must wait for had not
   * ended, one line each ("low ran before high ended"); none is a pass.
   */
  outOfTurn: string[];
  /** The jobs in the order they were seen ended. */
  endOrder: Name[];
  ended: Record<Name, Job>;
  rows: Record<Name, number>;
}

const ENDED = [JobStatus.JOB_STATUS_COMPLETED, JobStatus.JOB_STATUS_FAILED, JobStatus.JOB_STATUS_CANCELLED];
const hasEnded = (j: Job) => ENDED.includes(j.status);
const filed = (j: Job) => (j.counts ? j.counts.accepted + j.counts.invalid + j.counts.duplicate + j.counts.suppressed : 0);

/**
 * Issue 12's running-job limit and upload priority as a partner system drives them over gRPC
 * only: SetJobLimits to 1; a first job uploaded with half its file sent and the stream held open
 * (it runs from its first message); then a low job and a high job, in that order, whole. Both
 * wait queued; once the first's upload ends and the first job completes, the high one starts
 * before the low one, which arrived earlier. The limit is set back to 0 after.
 */
export async function runGrpcQueueScenario(address: string, adminKey: string, opts: { rows: Record<Name, number>; seed: number; timeoutMs: number }): Promise<GrpcQueueScenario> {
  const client = new LeadflowGatewayClient(address, credentials.createInsecure(), { interceptors: [withApiKey(adminKey)] });
  const deadline = () => ({ deadline: Date.now() + opts.timeoutMs });
  const unary = <T>(call: (done: (err: ServiceError | null, res?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => call((err, res) => (err ? reject(err) : resolve(res!))));
  const getJob = async (id: string) => (await unary<{ job?: Job }>((done) => client.getJob({ id }, new Metadata(), deadline(), done))).job!;
  const setLimit = (maxRunningJobs: number) => unary<JobLimits>((done) => client.setJobLimits({ maxRunningJobs }, new Metadata(), deadline(), done));
  const getLimit = () => unary<JobLimits>((done) => client.getJobLimits({}, new Metadata(), deadline(), done));
  const fileOf = (name: Name, i: number) => Buffer.from(generateLeadFile({ seed: opts.seed + i, rows: opts.rows[name] }).csv);
  const meta = (name: Name, priority: string) => ({ metadata: { fileName: `grpc-${name}-${opts.seed}.csv`, supplier: `grpc-queue-${name}`, webhookUrl: '', sheet: '', review: false, priority } });

  try {
    const before = await getLimit();
    const set = await setLimit(1);
    const after = await getLimit();
    const refused = await setLimit(-1).then(
      () => ({ code: 0, errorCode: undefined }),
      (err: ServiceError) => ({ code: err.code, errorCode: err.metadata?.get('leadflow-error-code')[0] as string | undefined }),
    );

    // The first job: half of its file sent, the stream held open.
    const firstFile = fileOf('first', 0);
    let firstCall!: ReturnType<LeadflowGatewayClient['uploadFile']>;
    const firstAnswer = new Promise<Job>((resolve, reject) => {
      firstCall = client.uploadFile(new Metadata(), deadline(), (err, res) => (err ? reject(err) : resolve(res!.job!)));
    });
    // Awaited once the rest is sent; a failure before then is reported there, not as unhandled.
    firstAnswer.catch(() => undefined);
    firstCall.write(meta('first', 'normal'));
    const half = Math.floor(firstFile.length / 2);
    firstCall.write({ chunk: firstFile.subarray(0, half) });
    const firstWhileSending = await waitUntil(
      'the first job to show in ListJobs',
      async () => {
        const page = await unary<{ jobs: Job[] }>((done) =>
          client.listJobs({ status: [], supplier: 'grpc-queue-first', q: meta('first', '').metadata.fileName, createdFrom: '', createdTo: '', limit: 10, after: '' }, new Metadata(), deadline(), done),
        );
        return page.jobs[0];
      },
      { timeoutMs: opts.timeoutMs, intervalMs: 250 },
    );

    const whole = (name: Name, priority: string, i: number) =>
      new Promise<Job>((resolve, reject) => {
        const call = client.uploadFile(new Metadata(), deadline(), (err, res) => (err ? reject(err) : resolve(res!.job!)));
        call.write(meta(name, priority));
        call.write({ chunk: fileOf(name, i) });
        call.end();
      });
    const low = await whole('low', 'low', 1);
    const high = await whole('high', 'high', 2);
    const ids: Record<Name, string> = { first: firstWhileSending.id, low: low.id, high: high.id };

    // Each look reads a job before the one it waits for: seen running, the other must read ended.
    const outOfTurn: string[] = [];
    const endOrder: Name[] = [];
    const ended: Partial<Record<Name, Job>> = {};
    const look = async () => {
      const l = await getJob(ids.low);
      const h = await getJob(ids.high);
      const f = await getJob(ids.first);
      const started = (j: Job) => j.status !== JobStatus.JOB_STATUS_QUEUED;
      if (started(h) && !hasEnded(f)) outOfTurn.push(`high ran (${h.status}) before the first ended (${f.status})`);
      if (started(l) && !hasEnded(h)) outOfTurn.push(`low ran (${l.status}) before high ended (${h.status})`);
      for (const [name, j] of [['first', f], ['high', h], ['low', l]] as [Name, Job][]) {
        if (hasEnded(j) && !endOrder.includes(name)) {
          endOrder.push(name);
          ended[name] = j;
        }
      }
    };
    await look();
    firstCall.write({ chunk: firstFile.subarray(half) });
    firstCall.end();
    await firstAnswer;
    await waitUntil(
      'the three jobs to end',
      async () => {
        await look();
        return endOrder.length === 3 ? true : undefined;
      },
      { timeoutMs: opts.timeoutMs, intervalMs: 250, describe: () => Promise.all(Object.values(ids).map(getJob)) },
    );
    return { limits: { before, set, after }, refused, firstWhileSending, answers: { low, high }, outOfTurn, endOrder, ended: ended as Record<Name, Job>, rows: opts.rows };
  } finally {
    await setLimit(0).catch(() => undefined);
    client.close();
  }
}

/** What a partner checks after runGrpcQueueScenario. */
export function itChecksTheGrpcQueue(run: () => GrpcQueueScenario): void {
  it('answers and sets the tenant limit of running jobs (GetJobLimits, SetJobLimits), refusing -1 as INVALID_JOB_LIMITS', () => {
    const r = run();
    expect(r.limits.before).toEqual({ maxRunningJobs: 0 });
    expect(r.limits.set).toEqual({ maxRunningJobs: 1 });
    expect(r.limits.after).toEqual({ maxRunningJobs: 1 });
    expect(r.refused).toEqual({ code: 3, errorCode: 'INVALID_JOB_LIMITS' });
  });

  it('shows the first job while its file is still being sent, and answers the next two uploads queued, each with its priority', () => {
    const r = run();
    expect(r.firstWhileSending.priority).toBe('normal');
    expect([r.answers.low.status, r.answers.low.priority]).toEqual([JobStatus.JOB_STATUS_QUEUED, 'low']);
    expect([r.answers.high.status, r.answers.high.priority]).toEqual([JobStatus.JOB_STATUS_QUEUED, 'high']);
  });

  it('starts the queued jobs one at a time in priority order: the high one before the low one that arrived first', () => {
    const r = run();
    expect(r.outOfTurn).toEqual([]);
    expect(r.endOrder).toEqual(['first', 'high', 'low']);
  });

  it('completes every job with every row filed', () => {
    const r = run();
    for (const name of ['first', 'high', 'low'] as Name[]) {
      const j = r.ended[name];
      expect([name, j.status, j.counts?.rows, filed(j)]).toEqual([name, JobStatus.JOB_STATUS_COMPLETED, r.rows[name], r.rows[name]]);
    }
  });
}
