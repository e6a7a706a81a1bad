import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { RowBatch, type RowBatch as RowBatchType } from '@leadflow/proto';
import { infraEnv, uniqueName, waitUntil } from '@leadflow/testkit';
import { createBus, topic, type Bus } from './index.js';

const logger = createLogger({ name: 'lag-test', level: 'warn' });

const batch = (jobId: string, seq: number): RowBatchType => ({
  job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
  seq, header: [], rows: [], last: false, totalRows: 0, failure: undefined, decision: undefined,
} as RowBatchType);

describe("a consumer group's lag on a real Kafka broker", () => {
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const buses: Bus[] = [];
  const bus = (clientId: string) => {
    const b = createBus({ brokers, clientId, logger, partitions: 3 });
    buses.push(b);
    return b;
  };
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.stop()));
  });

  it('counts the messages a group has not committed over every partition, the whole log for a group that committed none', async () => {
    const t = topic<RowBatchType>(uniqueName('test.lag'), RowBatch);
    const [reader, idle] = [uniqueName('reader'), uniqueName('idle')];
    const producer = bus('lag-producer');
    await producer.ensureTopics([t]);
    // Six jobs, two batches each, over the three partitions by their keys.
    const jobs = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e', 'job-f'];
    await producer.send(t, jobs.flatMap((j) => [0, 1].map((seq) => ({ key: j, value: batch(j, seq) }))));
    const groups = [{ groupId: reader, topic: t }, { groupId: idle, topic: t }];
    expect((await producer.consumerLag(groups)).map((g) => [g.groupId, g.messages])).toEqual([[reader, 12], [idle, 12]]);

    // The reader handles and commits every message: nothing waits for it.
    const seen: string[] = [];
    const consumer = bus('lag-consumer');
    await consumer.consume({ groupId: reader, topic: t, handle: async (m) => void seen.push(m.value.job!.jobId), onUndecodable: async () => {}, concurrency: 3 });
    await waitUntil('the reader to commit all twelve', async () => (seen.length === 12 && (await producer.consumerLag(groups))[0]!.messages === 0 ? true : undefined), {
      timeoutMs: 60_000, intervalMs: 250, describe: async () => ({ seen: seen.length, lag: await producer.consumerLag(groups) }),
    });
    // Stopped, it falls behind by what arrives next; the idle group by everything.
    await consumer.stop();
    await producer.send(t, ['job-a', 'job-b', 'job-c', 'job-d', 'job-e'].map((j) => ({ key: j, value: batch(j, 2) })));
    expect((await producer.consumerLag(groups)).map((g) => [g.groupId, g.messages])).toEqual([[reader, 5], [idle, 17]]);
  });
});
