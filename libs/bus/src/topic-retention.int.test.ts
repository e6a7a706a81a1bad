import { afterAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { loadConfig } from '@leadflow/config';
import { createLogger } from '@leadflow/logger';
import { RowBatch, type RowBatch as RowBatchMessage } from '@leadflow/proto';
import { infraEnv, uniqueName } from '@leadflow/testkit';
import { createBusFromConfig, kafkaSchema, topic, type Bus } from './index.js';

const logger = createLogger({ name: 'retention-test', level: 'warn' });
const HOUR = 3600_000;

/**
 * Topics carry raw rows: the ones Leadflow creates keep them as long as raw cells are kept
 * (RAW_RETENTION_HOURS, 48 h by default) or KAFKA_RETENTION_HOURS, not the broker's 7 days
 * (docs/data-retention.md). Read back from the real broker.
 */
describe('the retention of the topics Leadflow creates', () => {
  const brokers = infraEnv().KAFKA_BROKERS;
  const kafka = new kafkajs.Kafka({ brokers: brokers.split(','), clientId: 'retention-admin', logLevel: kafkajs.logLevel.NOTHING });
  const buses: Bus[] = [];
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.stop()));
  });
  const busWith = (env: Record<string, string>) => {
    const bus = createBusFromConfig(loadConfig(kafkaSchema, { KAFKA_BROKERS: brokers, ...env }), 'retention-test', logger);
    buses.push(bus);
    return bus;
  };
  const settings = async (names: string[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms', 'segment.ms', 'max.message.bytes', 'cleanup.policy'] })),
      });
      return Object.fromEntries(resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
    } finally {
      await admin.disconnect();
    }
  };
  const newTopic = (what: string) => topic<RowBatchMessage>(uniqueName(`test.retention.${what}`), RowBatch);

  it('is RAW_RETENTION_HOURS (48 h unset) on a topic it creates, KAFKA_RETENTION_HOURS when set', async () => {
    const [unset, raw, own] = [newTopic('unset'), newTopic('raw'), newTopic('own')];
    await busWith({}).ensureTopics([unset]);
    await busWith({ RAW_RETENTION_HOURS: '36' }).ensureTopics([raw]);
    await busWith({ RAW_RETENTION_HOURS: '36', KAFKA_RETENTION_HOURS: '12' }).ensureTopics([own]);
    const s = await settings([unset.name, raw.name, own.name]);
    expect([s[unset.name]!['retention.ms'], s[raw.name]!['retention.ms'], s[own.name]!['retention.ms']]).toEqual([String(48 * HOUR), String(36 * HOUR), String(12 * HOUR)]);
    // Segments close at a quarter of it, so that a quiet partition's rows do not outlive it by Kafka's 7-day segments.
    expect([s[unset.name]!['segment.ms'], s[own.name]!['segment.ms']]).toEqual([String(12 * HOUR), String(3 * HOUR)]);
  });

  it("sets it on a topic made before, with the broker's default (Kafka's 7 days), keeping the topic's other settings", async () => {
    const older = newTopic('older');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: older.name, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }] });
    } finally {
      await admin.disconnect();
    }
    // The broker's default: 7 days in Kafka's own configuration, a day in the test broker's.
    expect((await settings([older.name]))[older.name]!['retention.ms']).not.toBe(String(48 * HOUR));
    await busWith({}).ensureTopics([older]);
    expect((await settings([older.name]))[older.name]).toMatchObject({
      'retention.ms': String(48 * HOUR), 'segment.ms': String(12 * HOUR), 'cleanup.policy': 'delete', 'max.message.bytes': String(16 * 1024 * 1024),
    });
  });
});
