import { expect, it } from 'vitest';
import { uniqueName } from './infra-env.js';
import { faxFile, uploadMapped } from './mapped-upload.js';
import { callRest } from './tenant-walk.js';
import { waitUntil } from './wait-until.js';

/** A running gateway whose job metrics are read every second or so (GATEWAY_METRICS_INTERVAL_MS), and tenant A's admin key. */
export interface JobMetricsContext {
  base: string;
  adminA: string;
  /** The tenant of adminA, as the jobs table labels its jobs. */
  tenantA: string;
  /** Where the gateway's /metrics is scraped. */
  metricsUrl: string;
  /** The stages whose consumer lag is exported (Kafka mode); none in `leadflow serve`. */
  lagStages: readonly string[];
  timeoutMs: number;
}

/** Every sample of `name` in a scrape, by its label set ('' for none). */
export async function scrape(url: string, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(30_000) })).text();
  const lines = text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'));
  return Object.fromEntries([...lines].map((m) => [m[1] ?? '', Number(m[2])]));
}

/**
 * The operators' job metrics (issue 12) as Prometheus scrapes them from the gateway: after a
 * supplier's two jobs ran, the counts by status, their durations, the jobs table and the
 * consumer lag show them. One test, for a describe block of `leadflow serve` or of Kafka mode,
 * before any other job of the block (it counts the jobs that end while it runs).
 */
export function jobMetricsScenario(context: () => JobMetricsContext): void {
  it('shows jobs by status, their durations, the jobs table with progress and cost, and each stage\'s lag, once jobs ran', async () => {
    const { base, adminA, tenantA, metricsUrl, lagStages, timeoutMs } = context();
    const supplier = uniqueName('Metered Lists');
    const made = await callRest(base, adminA, 'POST', '/v1/suppliers', { json: { name: supplier, costPerLead: { amount: '0.35', currency: 'USD' } } });
    expect(made.status).toBe(201);
    const count = async (name: string, labels: string) => (await scrape(metricsUrl, name))[labels] ?? 0;
    const before = {
      completed: await count('leadflow_gateway_jobs', '{status="completed"}'),
      durations: await count('leadflow_job_duration_seconds_count', '{status="completed"}'),
    };
    const jobs = [];
    for (let i = 0; i < 2; i++) jobs.push((await uploadMapped(base, adminA, faxFile().csv, { supplier, timeoutMs })).jobId);

    // Durations are read 10 s behind the clock (transactions still committing), then at the next interval.
    await waitUntil(
      'the metrics to show both jobs completed and their durations',
      async () =>
        (await count('leadflow_gateway_jobs', '{status="completed"}')) >= before.completed + 2 &&
        (await count('leadflow_job_duration_seconds_count', '{status="completed"}')) >= before.durations + 2
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 500, describe: async () => ({ before, jobs: await scrape(metricsUrl, 'leadflow_gateway_jobs') }) },
    );
    // Exactly these two: run first in its process, no other job ended meanwhile (nor twice).
    expect(await count('leadflow_gateway_jobs', '{status="completed"}')).toBe(before.completed + 2);
    expect(await count('leadflow_job_duration_seconds_count', '{status="completed"}')).toBe(before.durations + 2);
    const progress = await scrape(metricsUrl, 'leadflow_gateway_job_progress_percent');
    const cost = await scrape(metricsUrl, 'leadflow_gateway_job_cost');
    for (const id of jobs) {
      expect(progress[`{job_id="${id}",tenant="${tenantA}",supplier="${supplier}",status="completed"}`], id).toBe(100);
      // One row at 0.35 USD a row.
      expect(cost[`{job_id="${id}",currency="USD"}`], id).toBe(0.35);
    }
    const sums = await scrape(metricsUrl, 'leadflow_job_duration_seconds_sum');
    expect(sums['{status="completed"}']).toBeGreaterThan(0);

    const lag = async () => scrape(metricsUrl, 'leadflow_stage_consumer_lag_messages');
    if (lagStages.length === 0) {
      expect(await lag()).toEqual({});
      return;
    }
    // Every stage has caught up once the jobs completed (delivery, the last, may take a moment longer).
    const caughtUp = await waitUntil(
      'every stage to have no batch waiting',
      async () => {
        const now = await lag();
        const stages = Object.entries(now).map(([labels, value]) => [labels.match(/stage="([^"]+)"/)![1], value] as const);
        return stages.length === lagStages.length && stages.every(([, v]) => v === 0) ? stages : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, describe: lag },
    );
    expect(caughtUp.map(([stage]) => stage).sort()).toEqual([...lagStages].sort());
  });
}
