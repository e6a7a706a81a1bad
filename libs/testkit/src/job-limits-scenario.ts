import { expect, it } from 'vitest';
import { generateLeadFile } from './lead-file.js';
import { multipartBody, startPartialUpload } from './partial-upload.js';
import { streamUpload } from './stream-upload.js';
import { callRest } from './tenant-walk.js';
import { readAgain, waitUntil } from './wait-until.js';

interface JobAnswer {
  id: string;
  status: string;
  counts: { rows: number; accepted: number; invalid: number; duplicate: number; suppressed: number };
}

export interface JobLimitsScenario {
  /** PUT /v1/settings/jobs's answer. */
  set: { status: number; body: unknown };
  /** The second upload's answer: 202 with the job, queued. */
  secondAnswer: { status: number; jobStatus?: string };
  /** The second job's statuses seen while the first had not ended. */
  secondWhileFirstRan: string[];
  endOrder: ('first' | 'second')[];
  first: JobAnswer;
  second: JobAnswer;
  firstRows: number;
  secondRows: number;
}

const filed = (j: JobAnswer) => j.counts.accepted + j.counts.invalid + j.counts.duplicate + j.counts.suppressed;
const ended = (j: JobAnswer) => ['completed', 'failed', 'cancelled'].includes(j.status);

/**
 * Issue 12's limit of running jobs as a tenant's admin drives it: limit 1, then two uploads one
 * after the other; the second waits queued while the first runs, then runs to its end. The limit
 * is set back to 0 (none) after.
 */
export async function runJobLimitsScenario(base: string, adminKey: string, opts: { firstRows: number; secondRows: number; seed: number; timeoutMs: number }): Promise<JobLimitsScenario> {
  const port = Number(new URL(base).port);
  const put = await callRest(base, adminKey, 'PUT', '/v1/settings/jobs', { json: { maxRunningJobs: 1 } });
  const upload = async (rows: number, seed: number) => {
    const answer = await streamUpload(port, Buffer.from(generateLeadFile({ seed, rows }).csv), { apiKey: adminKey, fields: { supplier: 'limits' }, timeoutMs: opts.timeoutMs });
    if (answer === 'aborted' || answer.status !== 202) throw new Error(`upload: ${JSON.stringify(answer)}`);
    return answer.body;
  };
  const job = async (id: string) => JSON.parse((await readAgain(() => callRest(base, adminKey, 'GET', `/v1/jobs/${id}`, undefined, opts.timeoutMs))).text) as JobAnswer;
  try {
    // The first job runs from its upload's start: half of its file is sent, the rest held back
    // while the second is uploaded and looked at, so that it is seen while the first runs.
    const firstUpload = startPartialUpload(
      port,
      multipartBody([{ name: 'first.csv', bytes: Buffer.from(generateLeadFile({ seed: opts.seed, rows: opts.firstRows }).csv) }], { supplier: 'limits' }),
      { apiKey: adminKey },
    );
    await firstUpload.send(Math.floor(firstUpload.length / 2));
    const firstAnswer = await firstUpload.answer;
    if (firstAnswer.status !== 202) throw new Error(`upload: ${JSON.stringify(firstAnswer)}`);
    const first = firstAnswer.body;
    const second = await upload(opts.secondRows, opts.seed + 7);
    const secondWhileFirstRan: string[] = [];
    const endOrder: ('first' | 'second')[] = [];
    for (let look = 0; look < 3; look++) {
      const [f, s] = await Promise.all([job(first.id!), job(second.id!)]);
      if (!ended(f)) secondWhileFirstRan.push(`${s.status}:${filed(s)}`);
    }
    await firstUpload.finish();
    const [a, b] = await waitUntil(
      'both jobs to end',
      async () => {
        const [f, s] = await Promise.all([job(first.id!), job(second.id!)]);
        if (!ended(f)) secondWhileFirstRan.push(`${s.status}:${filed(s)}`);
        if (ended(f) && !endOrder.includes('first')) endOrder.push('first');
        if (ended(s) && !endOrder.includes('second')) endOrder.push('second');
        return endOrder.length === 2 ? [f, s] : undefined;
      },
      { timeoutMs: opts.timeoutMs, intervalMs: 250, describe: () => Promise.all([job(first.id!), job(second.id!)]) },
    );
    return {
      set: { status: put.status, body: JSON.parse(put.text) },
      secondAnswer: { status: 202, jobStatus: second.status },
      secondWhileFirstRan,
      endOrder,
      first: a,
      second: b,
      firstRows: opts.firstRows,
      secondRows: opts.secondRows,
    };
  } finally {
    await callRest(base, adminKey, 'PUT', '/v1/settings/jobs', { json: { maxRunningJobs: 0 } });
  }
}

/** What a tenant checks after runJobLimitsScenario, in `leadflow serve` and Kafka mode alike. */
export function itChecksTheJobLimits(run: () => JobLimitsScenario): void {
  it('takes the limit, and answers an upload above it 202 with the job queued', () => {
    const r = run();
    expect(r.set).toEqual({ status: 200, body: { maxRunningJobs: 1 } });
    expect(r.secondAnswer).toEqual({ status: 202, jobStatus: 'queued' });
  });

  it('keeps the second job queued, nothing of it stored, while the first runs; then runs it to its end', () => {
    const r = run();
    expect(r.secondWhileFirstRan.length).toBeGreaterThan(0);
    expect(new Set(r.secondWhileFirstRan)).toEqual(new Set(['queued:0']));
    expect(r.endOrder).toEqual(['first', 'second']);
    expect([r.first.status, r.first.counts.rows, filed(r.first)]).toEqual(['completed', r.firstRows, r.firstRows]);
    expect([r.second.status, r.second.counts.rows, filed(r.second)]).toEqual(['completed', r.secondRows, r.secondRows]);
  });
}
