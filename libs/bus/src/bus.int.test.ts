import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { infraEnv, uniqueName, waitUntil } from '@leadflow/testkit';
import type { RowBatch } from '@leadflow/proto';
import { createBus, topic } from './index.js';
import { RowBatch as RowBatchCodec } from '@leadflow/proto';

const logger = createLogger({ name: 'bus-test', level: 'warn' });

describe('bus on a real Kafka broker', () => {
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const buses: ReturnType<typeof createBus>[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.stop()));
  });

  it('kafkajs produces, a consumer group consumes and commits, and a restarted group resumes after the commit', async () => {
    const t = topic<RowBatch>(uniqueName('test.rows'), RowBatchCodec);
    const group = uniqueName('group');
    const batch = (seq: number): RowBatch => ({
      job: { jobId: 'job-1', tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq, header: ['email'], rows: [{ rowNumber: seq + 1, cells: [`a${seq}@x.com`] }], last: false, totalRows: 0, failure: undefined, decision: undefined,
    });
    const producer = createBus({ brokers, clientId: 'test-producer', logger });
    buses.push(producer);
    await producer.ensureTopics([t]);
    await producer.send(t, [0, 1, 2].map((s) => ({ key: 'job-1', value: batch(s) })));

    const first = createBus({ brokers, clientId: 'test-consumer-1', logger });
    const seen1: number[] = [];
    await first.consume({
      groupId: group,
      topic: t,
      handle: async (m) => void seen1.push(m.value.seq),
      onUndecodable: async () => {},
    });
    await waitUntil('three batches', () => (seen1.length === 3 ? true : undefined), { timeoutMs: 60_000 });
    expect(seen1).toEqual([0, 1, 2]);
    await first.stop();

    await producer.send(t, [{ key: 'job-1', value: batch(3) }]);
    const second = createBus({ brokers, clientId: 'test-consumer-2', logger });
    buses.push(second);
    const seen2: number[] = [];
    await second.consume({ groupId: group, topic: t, handle: async (m) => void seen2.push(m.value.seq), onUndecodable: async () => {} });
    await waitUntil('the batch after the commit', () => (seen2.length >= 1 ? true : undefined), { timeoutMs: 60_000 });
    expect(seen2).toEqual([3]);
  });
});
