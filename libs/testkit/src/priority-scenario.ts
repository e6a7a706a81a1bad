import { expect, it } from 'vitest';
import { generateLeadFile } from './lead-file.js';
import { streamUpload } from './stream-upload.js';
import { callRest } from './tenant-walk.js';
import { readAgain, waitUntil } from './wait-until.js';

interface JobAnswer {
  id: string;
  status: string;
  priority: string;
  progress?: { stages?: { ingest?: { rowsIn: number } } };
  counts: { rows: number; accepted: number; invalid: number; duplicate: number; suppressed: number };
}

export interface PriorityScenario {
  low: JobAnswer;
  high: JobAnswer;
  /** The jobs in the order they were seen ended. */
  endOrder: ('low' | 'high')[];
  /** The low job's rows filed when the high one was first seen completed. */
  lowFiledWhenHighEnded: number;
  lowRows: number;
  highRows: number;
}

const filed = (j: JobAnswer) => j.counts.accepted + j.counts.invalid + j.counts.duplicate + j.counts.suppressed;
const ended = (j: JobAnswer) => ['completed', 'failed', 'cancelled'].includes(j.status);

/**
 * Issue 12's priority as a partner system drives it: a large file uploaded with priority low,
 * and once some of its rows are stored, a small one with priority high; both watched to their
 * end. Answers which ended first and how far the low one was then.
 */
export async function runPriorityScenario(
  base: string,
  key: string,
  opts: {
    lowRows: number;
    highRows: number;
    seed: number;
    timeoutMs: number;
    /**
     * When the low job counts as running: once rows of it are stored, or once ingest has read rows
     * of it (`leadflow serve` answers slowly while it stores a large job's first rows). @default 'stored'
     */
    lowRunningWhen?: 'stored' | 'read';
  },
): Promise<PriorityScenario> {
  const port = Number(new URL(base).port);
  const upload = async (rows: number, seed: number, priority: string) => {
    const file = generateLeadFile({ seed, rows });
    const answer = await streamUpload(port, Buffer.from(file.csv), { apiKey: key, fields: { priority, supplier: `priority-${priority}` }, timeoutMs: opts.timeoutMs });
    if (answer === 'aborted' || answer.status !== 202) throw new Error(`upload ${priority}: ${JSON.stringify(answer)}`);
    return answer.body.id!;
  };
  const job = async (id: string) => {
    const a = await readAgain(() => callRest(base, key, 'GET', `/v1/jobs/${id}`, undefined, opts.timeoutMs));
    if (a.status !== 200) throw new Error(`GET /v1/jobs/${id}: ${a.status} ${a.text.slice(0, 200)}`);
    return JSON.parse(a.text) as JobAnswer;
  };

  const lowId = await upload(opts.lowRows, opts.seed, 'low');
  const running = (j: JobAnswer) => (opts.lowRunningWhen === 'read' ? (j.progress?.stages?.ingest?.rowsIn ?? 0) > 0 : filed(j) > 0);
  await waitUntil('the low job to run', async () => (running(await job(lowId)) ? true : undefined), {
    timeoutMs: opts.timeoutMs,
    describe: () => job(lowId),
  });
  const highId = await upload(opts.highRows, opts.seed + 1, 'high');
  const endOrder: ('low' | 'high')[] = [];
  let lowFiledWhenHighEnded = -1;
  const [low, high] = await waitUntil(
    'both jobs to end',
    async () => {
      const [l, h] = await Promise.all([job(lowId), job(highId)]);
      if (ended(h) && !endOrder.includes('high')) {
        endOrder.push('high');
        lowFiledWhenHighEnded = filed(l);
      }
      if (ended(l) && !endOrder.includes('low')) endOrder.push('low');
      return endOrder.length === 2 ? [l, h] : undefined;
    },
    { timeoutMs: opts.timeoutMs, intervalMs: 250, describe: () => Promise.all([job(lowId), job(highId)]) },
  );
  return { low, high, endOrder, lowFiledWhenHighEnded, lowRows: opts.lowRows, highRows: opts.highRows };
}

/** What a partner checks after runPriorityScenario: the same in `leadflow serve` and in Kafka mode. */
export function itChecksThePriority(run: () => PriorityScenario): void {
  it('shows each job with the priority it was uploaded with', () => {
    expect([run().low.priority, run().high.priority]).toEqual(['low', 'high']);
  });

  it('completes the high job, every row filed, while the low job started before it still runs', () => {
    const r = run();
    expect(r.endOrder).toEqual(['high', 'low']);
    expect([r.high.status, r.high.counts.rows, filed(r.high)]).toEqual(['completed', r.highRows, r.highRows]);
    expect(r.lowFiledWhenHighEnded).toBeLessThan(r.lowRows);
  });

  it('completes the low job too, every row filed', () => {
    const r = run();
    expect([r.low.status, r.low.counts.rows, filed(r.low)]).toEqual(['completed', r.lowRows, r.lowRows]);
  });
}
