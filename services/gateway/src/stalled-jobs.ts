import type { Logger } from '@leadflow/logger';
import type { Metrics } from '@leadflow/metrics';
import type { JobStore } from './job-store.js';

export interface StalledJobsGaugeOptions {
  jobs: Pick<JobStore, 'countStalled'>;
  gauge: Pick<Metrics['jobsStalled'], 'set'>;
  /** How often the count is read again. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Keeps the stalled-jobs gauge current for the operators' alert: counts the stalled jobs every
 * `intervalMs` (a lifecycle module of the gateway in Kafka mode). A failed count keeps the last.
 */
export function stalledJobsGauge(opts: StalledJobsGaugeOptions) {
  let timer: NodeJS.Timeout | undefined;
  let counting: Promise<void> = Promise.resolve();
  const count = async () => {
    try {
      opts.gauge.set(await opts.jobs.countStalled());
    } catch (err) {
      opts.logger.warn({ err }, 'counting stalled jobs failed: the gauge keeps its last value');
    }
  };
  return {
    name: 'stalled-jobs-gauge',
    async start() {
      await (counting = count());
      timer = setInterval(() => void (counting = count()), opts.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await counting;
    },
  };
}
