import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { LeadBatch, type LeadBatch as LeadBatchType } from '@leadflow/proto';
import { infraEnv, uniqueName, waitUntil } from '@leadflow/testkit';
import { createBus, createStageService, topic, type Bus } from './index.js';

const logger = createLogger({ name: 'group-membership-test', level: 'silent' });
// The broker's smallest session timeout (group.min.session.timeout.ms): a member that sends no
// heartbeat for 6 s is dropped from the group and its partitions go to another.
const SESSION_MS = 6_000;

const batch = (jobId: string): LeadBatchType => ({
  job: { jobId, tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
  seq: 0, header: ['email'], mapping: [], rows: [], last: true, totalRows: 0, failure: undefined,
});

describe('consumer group membership while a message is handled for long', () => {
  const brokers = infraEnv().KAFKA_BROKERS.split(',');
  const admin = new Kafka({ clientId: 'membership-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  const stops: (() => Promise<void>)[] = [admin.disconnect.bind(admin)];
  beforeAll(() => admin.connect());
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  const replica = (clientId: string): Bus => {
    const bus = createBus({ brokers, clientId, logger, partitions: 1, sessionTimeoutMs: SESSION_MS });
    stops.push(() => bus.stop());
    return bus;
  };
  /** The group's committed offset on partition 0 of `topicName`: '-1' before any commit. */
  const committed = async (groupId: string, topicName: string) =>
    (await admin.fetchOffsets({ groupId, topics: [topicName] }))[0]!.partitions.find((p) => p.partition === 0)!.offset;

  it('keeps its partition through work three session timeouts long, and the message is handled once', async () => {
    const t = topic<LeadBatchType>(uniqueName('test.long'), LeadBatch);
    const groupId = uniqueName('group');
    const [a, b] = [replica('replica-a'), replica('replica-b')];
    await a.ensureTopics([t]);
    const started: string[] = [];
    let finished = 0;
    const handle = (name: string) => async () => {
      started.push(name);
      // The long work itself: longer than three session timeouts without a message in between.
      await sleep(3 * SESSION_MS);
      finished++;
    };
    // Both replicas are members before the message comes: the one without the partition waits for it.
    await a.consume({ groupId, topic: t, handle: handle('a'), onUndecodable: async () => {} });
    await b.consume({ groupId, topic: t, handle: handle('b'), onUndecodable: async () => {} });
    await a.send(t, [{ key: 'job-long', value: batch('job-long') }]);

    // Done when committed, or failed as soon as a second replica starts on the same message.
    await waitUntil('the message handled and its offset committed, or handled twice', async () =>
      started.length > 1 || (await committed(groupId, t.name)) === '1' ? true : undefined,
    { timeoutMs: 90_000, describe: () => ({ started, finished }) });
    expect(started).toHaveLength(1);
    expect(finished).toBe(1);
  });

  it('stops the work in hand when another member joins and takes the partition, and the batch goes out once', async () => {
    const input = topic<LeadBatchType>(uniqueName('test.in'), LeadBatch);
    const output = topic<LeadBatchType>(uniqueName('test.out'), LeadBatch);
    const name = uniqueName('stage');
    const attempts: { by: string; stoppedByTheGroup: boolean }[] = [];
    const service = (by: string) =>
      createStageService({
        name,
        bus: replica(by),
        input,
        output,
        jobIdOf: (x) => x.job!.jobId,
        logger,
        metrics: createMetrics({ defaultMetrics: false }),
        stage: async (x, signal) => {
          const attempt = { by, stoppedByTheGroup: false };
          attempts.push(attempt);
          if (attempts.length > 1) return x;
          // The first attempt works until the group takes its partition (or three session timeouts).
          await sleep(3 * SESSION_MS, undefined, { signal }).catch(() => (attempt.stoppedByTheGroup = signal.aborted));
          signal.throwIfAborted();
          return x;
        },
      });
    const first = service('a');
    await first.start();
    stops.push(() => first.stop());
    await replica('producer').send(input, [{ key: 'job-moved', value: batch('job-moved') }]);
    await waitUntil('the first attempt under way', () => (attempts.length === 1 ? true : undefined), { timeoutMs: 60_000 });
    // A second replica starts meanwhile: the group rebalances while the first attempt is at work.
    const second = service('b');
    await second.start();
    stops.push(() => second.stop());

    await waitUntil('the batch handled and its offset committed', async () => ((await committed(name, input.name)) === '1' ? true : undefined), {
      timeoutMs: 120_000,
      describe: () => attempts,
    });
    // Everything is sent before the input is committed: the output topic holds what will ever be sent.
    const [out] = await admin.fetchTopicOffsets(output.name);
    expect(out!.high).toBe('1');
    expect(attempts[0]).toEqual({ by: 'a', stoppedByTheGroup: true });
    expect(attempts).toHaveLength(2);
  });
});
