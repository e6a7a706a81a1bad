import type { GroupLag } from '@leadflow/bus';
import { int } from '@leadflow/config';
import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import type { JobFacts } from './job-facts.js';
import { JOB_STATUSES } from './job-store.js';
import { jobViewOf } from './job-view.js';

/** Jobs older than this are left out: the counts read a week of jobs by the jobs_created index, as countStalled does. */
export const JOB_METRICS_LOOKBACK_MS = 7 * 24 * 3600 * 1000;
/** Ended jobs stay in the jobs table this long. */
export const RECENT_JOBS_MS = 3600 * 1000;
/**
 * How far behind the clock the durations are read: a job's end is persistence's now() at the
 * start of the transaction that ended it, which commits a moment later (and clocks differ a little).
 */
const SETTLE_MS = 10_000;

/** The variables of the job metrics (gateway in Kafka mode, and `leadflow serve`). */
export const jobMetricsSchema = {
  jobMetricsIntervalMs: [
    'GATEWAY_METRICS_INTERVAL_MS',
    int({ min: 1000, max: 300_000, default: 15_000, description: 'how often, in ms, the gateway reads the job metrics (jobs by status, durations, consumer lag)' }),
  ],
  jobMetricsJobs: [
    'GATEWAY_METRICS_JOBS',
    int({ min: 0, max: 1000, default: 100, description: 'jobs at most in the jobs-table metrics (newest first: those not ended, then those ended in the last hour)' }),
  ],
} as const;

export interface JobMetricsOptions {
  facts: Pick<JobFacts, 'countByStatus' | 'recent' | 'endedBetween'>;
  metrics: Pick<Metrics, 'jobsByStatus' | 'jobDuration' | 'jobProgress' | 'jobCost' | 'stageLag'>;
  /** Each stage's consumer lag (Kafka mode); none in `leadflow serve`, whose stages pass batches in memory. */
  lag?: () => Promise<GroupLag[]>;
  intervalMs: number;
  /** Jobs at most in the jobs table (leadflow_gateway_job_progress_percent). */
  maxJobs: number;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
}

/**
 * The operators' job metrics (docs/job-metrics.md), read from the database every `intervalMs` by
 * one module of the gateway, never per request: jobs by status, the duration of each job that
 * ended since the last read, the jobs table (a job's series go once it leaves the table, so their
 * number stays at most `maxJobs`), and each stage's consumer lag. A read that fails keeps the
 * last values and is tried again at the next interval.
 */
export function jobMetrics(opts: JobMetricsOptions) {
  const { facts, metrics, logger } = opts;
  const now = opts.now ?? Date.now;
  let endedUpTo = new Date(now() - SETTLE_MS);
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> = Promise.resolve();

  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      logger.warn({ err }, `reading ${what} for the metrics failed: they keep their last values`);
    }
  };

  async function countStatuses() {
    const counts = new Map((await facts.countByStatus(JOB_METRICS_LOOKBACK_MS)).map((c) => [c.status, c.jobs]));
    for (const status of new Set<string>([...JOB_STATUSES, ...counts.keys()])) metrics.jobsByStatus.set({ status }, counts.get(status) ?? 0);
  }

  async function observeEnded() {
    const upTo = new Date(now() - SETTLE_MS);
    if (upTo <= endedUpTo) return;
    for (const job of await facts.endedBetween(JOB_METRICS_LOOKBACK_MS, endedUpTo, upTo)) {
      const seconds = (new Date(job.ended_at!).getTime() - new Date(job.created_at).getTime()) / 1000;
      metrics.jobDuration.observe({ status: job.status }, Math.max(0, seconds));
    }
    endedUpTo = upTo;
  }

  async function fillJobsTable() {
    const jobs = opts.maxJobs > 0 ? await facts.recent(JOB_METRICS_LOOKBACK_MS, RECENT_JOBS_MS, opts.maxJobs) : [];
    // Reset and set with no await between: a scrape sees the old table or the new one, whole.
    metrics.jobProgress.reset();
    metrics.jobCost.reset();
    for (const row of jobs) {
      const job = jobViewOf(row);
      metrics.jobProgress.set({ job_id: job.id, tenant: row.tenant_id, supplier: job.supplier, status: job.status }, job.progress.percent ?? 0);
      if (job.totalCost) metrics.jobCost.set({ job_id: job.id, currency: job.totalCost.currency }, Number(job.totalCost.amount));
    }
  }

  async function readLag() {
    if (!opts.lag) return;
    for (const g of await opts.lag()) metrics.stageLag.set({ stage: g.groupId, topic: g.topic.name }, g.messages);
  }

  const read = async () => {
    await attempt('jobs by status', countStatuses);
    await attempt('ended jobs', observeEnded);
    await attempt('the jobs table', fillJobsTable);
    await attempt('consumer lag', readLag);
  };

  return {
    name: 'job-metrics',
    /** Reads once now (the tests' way to a value without waiting for the interval). */
    read: () => (reading = reading.then(read)),
    async start() {
      await (reading = read());
      timer = setInterval(() => void (reading = reading.then(read)), opts.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await reading;
    },
  };
}
