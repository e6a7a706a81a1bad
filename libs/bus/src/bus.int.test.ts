import { afterAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { createLogger } from '@leadflow/logger';
import { infraEnv, uniqueName, waitUntil } from '@leadflow/testkit';
import type { RowBatch } from '@leadflow/proto';
import { createBus, MAX_MESSAGE_BYTES, topic } from './index.js';
import { RowBatch as RowBatchCodec } from '@leadflow/proto';

const logger = createLogger({ name: 'bus-test', level: 'warn' });

describe('bus on a real Kafka broker', () => {
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const buses: ReturnType<typeof createBus>[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.stop()));
  });

  it('carries a 5 MB batch: topics it creates take large messages, and an older topic is raised, keeping its other settings', async () => {
    const kafka = new kafkajs.Kafka({ brokers, clientId: 'test-admin', logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const fresh = topic<RowBatch>(uniqueName('test.wide'), RowBatchCodec);
      const older = topic<RowBatch>(uniqueName('test.older'), RowBatchCodec);
      // A topic made before the bus set its message size, with a setting of its own.
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: older.name, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
      const bus = createBus({ brokers, clientId: 'test-wide', logger });
      buses.push(bus);
      await bus.ensureTopics([fresh, older]);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [fresh.name, older.name].map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes', 'retention.ms'] })),
      });
      const settings = Object.fromEntries(resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
      expect(settings[fresh.name]!['max.message.bytes']).toBe(String(MAX_MESSAGE_BYTES));
      expect(settings[older.name]).toEqual({ 'max.message.bytes': String(MAX_MESSAGE_BYTES), 'retention.ms': '3600000' });

      const wide = 'w'.repeat(5 * 1024 * 1024);
      await bus.send(older, [{ key: 'job-w', value: {
        job: { jobId: 'job-w', tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
        seq: 0, header: ['notes'], rows: [{ rowNumber: 1, cells: [wide] }], last: true, totalRows: 1, failure: undefined, decision: undefined,
      } }]);
      let got: number | undefined;
      await bus.consume({ groupId: uniqueName('group'), topic: older, handle: async (m) => void (got = m.value.rows[0]!.cells[0]!.length), onUndecodable: async () => {} });
      await waitUntil('the 5 MB batch consumed', () => got, { timeoutMs: 60_000 });
      expect(got).toBe(wide.length);
    } finally {
      await admin.disconnect();
    }
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

  it('with concurrency 2, a consumer works on two partitions at once and on each one message at a time, in order', async () => {
    const t = topic<RowBatch>(uniqueName('test.rows'), RowBatchCodec);
    const batch = (jobId: string, seq: number): RowBatch => ({
      job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq, header: ['email'], rows: [], last: false, totalRows: 0, failure: undefined, decision: undefined,
    });
    const bus = createBus({ brokers, clientId: 'test-concurrent', logger, partitions: 3 });
    buses.push(bus);
    await bus.ensureTopics([t]);
    // Six jobs, two batches each: the jobs' keys spread them over the three partitions.
    const jobs = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e', 'job-f'];
    await bus.send(t, [0, 1].flatMap((seq) => jobs.map((job) => ({ key: job, value: batch(job, seq) }))));

    const inFlight = new Map<number, number>();
    let most = 0;
    let twoOfOnePartition = false;
    let overlapped!: () => void;
    const overlap = new Promise<void>((resolve) => (overlapped = resolve));
    const handled: { partition: number; job: string; seq: number }[] = [];
    await bus.consume({
      groupId: uniqueName('group'),
      topic: t,
      concurrency: 2,
      handle: async (m) => {
        inFlight.set(m.partition, (inFlight.get(m.partition) ?? 0) + 1);
        const now = [...inFlight.values()];
        most = Math.max(most, now.filter((n) => n > 0).length);
        twoOfOnePartition ||= Math.max(...now) > 1;
        if (most >= 2) overlapped();
        // Each handler waits for a handler of another partition to be at work too: at most 30 s, a
        // bound that only a consumer handling one partition at a time (the failure tested) reaches.
        await Promise.race([overlap, new Promise((resolve) => setTimeout(resolve, 30_000))]);
        handled.push({ partition: m.partition, job: m.value.job!.jobId, seq: m.value.seq });
        inFlight.set(m.partition, inFlight.get(m.partition)! - 1);
      },
      onUndecodable: async () => {},
    });
    await waitUntil('twelve batches', () => (handled.length === 12 ? true : undefined), { timeoutMs: 60_000 });
    expect(new Set(handled.map((h) => h.partition)).size).toBeGreaterThan(1);
    expect(most).toBe(2);
    expect(twoOfOnePartition).toBe(false);
    for (const job of jobs) expect(handled.filter((h) => h.job === job).map((h) => h.seq), job).toEqual([0, 1]);
  });
});
