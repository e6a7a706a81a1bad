#!/usr/bin/env node
import { createBus, createStageService, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { countDispositions, failedBatch } from '@leadflow/pipeline';
import { createPostgres, createRedis, createRedisFingerprintStore } from '@leadflow/stores';
import { createDedupStage } from './dedup-stage.js';
import { createSqlStoredLeads } from './stored-leads.js';

const host = createServiceHost({
  name: 'dedup',
  schema: {
    kafkaBrokers: shared.kafkaBrokers(),
    databaseUrl: shared.databaseUrl(),
    redisUrl: shared.redisUrl(),
    partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })],
  },
});
const { config, logger, metrics } = host;
const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-dedup' });
const redis = createRedis({ url: config.redisUrl, name: 'leadflow-dedup' });
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'dedup', logger, partitions: config.partitions });
host.lifecycle.add({ name: 'redis', start: () => redis.connect(), stop: async () => void (await redis.quit()) });
host.lifecycle.add({ name: 'postgres', stop: () => db.close() });
host.lifecycle.add(
  createStageService({
    name: 'dedup',
    bus,
    input: TOPICS.leadsMapped,
    output: TOPICS.leadsDeduped,
    stage: createDedupStage({ fingerprints: createRedisFingerprintStore(redis), leads: createSqlStoredLeads(db) }),
    jobIdOf: (b) => b.job?.jobId ?? '',
    poisonOutput: (b) => failedBatch(b, 'dedup'),
    countRows: (b) => countDispositions(b.rows),
    logger,
    metrics,
  }),
);
host.readyWhen(() => bus.consuming);
await host.run();
