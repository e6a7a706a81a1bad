import type { FormLead } from './single-leads.js';

/** The latency of a series of requests, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Leads answered per second over the series. */
  perSecond: number;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summarize(latencies: readonly number[], seconds: number): LatencySummary {
  const sorted = [...latencies].sort((x, y) => x - y);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN, perSecond: sorted.length / seconds };
}

export interface SeriesResult {
  summary: LatencySummary;
  /** Answers by HTTP status and disposition: "200 accepted", "202", "400 INVALID_LEAD"... */
  answers: Record<string, number>;
  /** Jobs the answered leads were filed under: leads sent at once share one (docs/single-leads.md). */
  jobs: number;
}

export interface SendOptions {
  base: string;
  key: string;
  leads: readonly FormLead[];
  /** Requests in flight at once. */
  concurrency: number;
  /** The `wait` each request asks for, ms: longer ones answer 202 and count as such. */
  waitMs: number;
  /** The whole series' bound. */
  signal: AbortSignal;
}

/**
 * Sends the leads to POST /v1/leads, `concurrency` at a time, each timed from the request's start
 * to its answer's last byte, as a partner's client sees it.
 */
export async function sendLeads(opts: SendOptions): Promise<SeriesResult> {
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  const jobs = new Set<string>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < opts.leads.length) {
      opts.signal.throwIfAborted();
      const lead = opts.leads[next++]!;
      const t0 = performance.now();
      const res = await fetch(`${opts.base}/v1/leads?wait=${opts.waitMs}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(lead),
        signal: opts.signal,
      });
      const body = (await res.json()) as { disposition?: string; code?: string; jobId?: string; id?: string };
      const job = body.jobId ?? body.id;
      if (job) jobs.add(job);
      latencies.push(performance.now() - t0);
      const answer = `${res.status}${body.disposition || body.code ? ` ${body.disposition ?? body.code}` : ''}`;
      answers[answer] = (answers[answer] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { summary: summarize(latencies, (performance.now() - started) / 1000), answers, jobs: jobs.size };
}
