import { priorityTopic, TOPICS, type Bus } from '@leadflow/bus';
import type { LeadBatchingOptions } from './lead-batcher.js';
import type { LeadSink } from './lead-sink.js';
import { createOutcomePoller, type ReadOutcomes } from './outcome-poller.js';

/**
 * Single leads in Kafka mode: each lead's batch (or that of the leads sent at once, one job) goes
 * straight to `leadflow.rows.raw.v1` on its job's key (there is no file for ingest to read), and its outcome is read from persistence's
 * tables as soon as they have it (outcome-poller.ts). The batch goes on the high-priority
 * topic, so that it never waits behind a big file's batches (docs/job-priority.md).
 */
export function createKafkaLeadSink(bus: Bus, read: ReadOutcomes, opts: { onError?: (err: unknown) => void; batching?: LeadBatchingOptions } = {}): LeadSink {
  const outcomes = createOutcomePoller(read, opts);
  return {
    // Leads that come while a batch of theirs is on its way wait for its answer, up to 100 ms: fewer, fuller
    // messages at each of the five hops (measured in docs/single-leads.md, "Leads sent at once").
    batching: opts.batching ?? { lingerMs: 100 },
    close: () => outcomes.stop(),
    async submit(batch) {
      const job = batch.job!;
      await bus.send(priorityTopic(TOPICS.rowsRaw, 'high'), [{ key: job.jobId, value: { ...batch, job: { ...job, priority: 'high' } } }]);
      return { outcome: (waitMs, row = 1) => outcomes.wait(job.tenantId, job.jobId, waitMs, row) };
    },
  };
}
