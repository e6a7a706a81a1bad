import { createBus, createStageService, topic } from '@leadflow/bus';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { LeadBatch } from '@leadflow/proto';
import { infraEnv, uniqueName } from './infra-env.js';
import { waitUntil } from './wait-until.js';

/**
 * Runs `stage` as a Kafka-mode stage service does (consumer group, retries, commit after the
 * output is acknowledged) on topics of its own on the test broker, sends it `batches`, and
 * answers what it produced for each, in the order sent (batches are known by job and seq).
 */
export async function throughStageService(stage: (batch: LeadBatch) => Promise<LeadBatch>, batches: readonly LeadBatch[]): Promise<LeadBatch[]> {
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const logger = createLogger({ name: 'stage-on-kafka', level: 'silent' });
  const input = topic<LeadBatch>(uniqueName('test.in'), LeadBatch);
  const output = topic<LeadBatch>(uniqueName('test.out'), LeadBatch);
  const stops: (() => Promise<void>)[] = [];
  try {
    const service = createStageService({
      name: uniqueName('stage'),
      bus: createBus({ brokers, clientId: 'stage-under-test', logger }),
      input,
      output,
      stage,
      jobIdOf: (b) => b.job?.jobId ?? '',
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    await service.start();
    stops.push(() => service.stop());
    const producer = createBus({ brokers, clientId: 'test-producer', logger });
    stops.push(() => producer.stop());
    await producer.send(input, batches.map((value) => ({ key: value.job?.jobId ?? '', value })));
    const reader = createBus({ brokers, clientId: 'test-reader', logger });
    stops.push(() => reader.stop());
    const out: LeadBatch[] = [];
    await reader.consume({ groupId: uniqueName('reader'), topic: output, handle: async (m) => void out.push(m.value), onUndecodable: async () => {} });
    await waitUntil(`${batches.length} batches out of the stage service`, () => (out.length >= batches.length ? true : undefined), {
      timeoutMs: 120_000,
      describe: () => ({ out: out.length }),
    });
    const place = (b: LeadBatch) => batches.findIndex((sent) => sent.job?.jobId === b.job?.jobId && sent.seq === b.seq);
    return out.sort((a, b) => place(a) - place(b));
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/**
 * An error that says a dependency went away (a connection reset): transient, so a stage service
 * retries the batch.
 */
export const transientError = (what: string) => Object.assign(new Error(`${what}: connection reset (injected by the test)`), { code: 'ECONNRESET' });

/**
 * `fn`, except that its first call for which `when` holds fails with a transient error: before
 * doing anything, or after doing its work (the write went through, the answer was lost).
 */
export function failingOnce<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  opts: { what: string; after: boolean; when?: (...args: A) => boolean },
): (...args: A) => Promise<R> {
  let failed = false;
  return async (...args) => {
    if (failed || !(opts.when?.(...args) ?? true)) return fn(...args);
    failed = true;
    if (opts.after) await fn(...args);
    throw transientError(opts.what);
  };
}
