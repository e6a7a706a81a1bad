import { custom, int } from '@leadflow/config';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from './retry-schedule.js';

/** The dispatcher's variables, read by the delivery service and by `leadflow serve`/`run`. */
export const dispatcherSchema = {
  retrySchedule: [
    'DELIVERY_RETRY_SCHEDULE',
    custom('waits separated by commas, like 0,5s,5m,30m,2h', parseRetrySchedule, {
      default: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE),
      description: 'when each attempt of an event is made: the first at once, each next one this long after the one before (with jitter)',
    }),
  ],
  deliveryConcurrency: ['DELIVERY_CONCURRENCY', int({ min: 1, max: 1024, default: 64, description: 'webhook requests in flight at once in one process' })],
  timeoutMs: ['DELIVERY_TIMEOUT_MS', int({ min: 100, max: 60_000, default: 10_000, description: 'how long a webhook request may take' })],
  deliveryPollMs: ['DELIVERY_POLL_MS', int({ min: 10, max: 10_000, default: 250, description: 'how often the outbox is looked at for due events' })],
  circuitFailures: ['DELIVERY_CIRCUIT_FAILURES', int({ min: 1, max: 10_000, default: 20, description: "consecutive failures that open an endpoint's circuit" })],
  circuitOpenMs: ['DELIVERY_CIRCUIT_OPEN_MS', int({ min: 100, max: 86_400_000, default: 60_000, description: 'how long an open circuit lets only a probe through' })],
} as const;
