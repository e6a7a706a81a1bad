#!/usr/bin/env node
import { createBus, createStageService, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { countDispositions, failedBatch } from '@leadflow/pipeline';
import { createPostgres, createRedis, createRedisDncRegistry, migrate } from '@leadflow/stores';
import { createSqlDncAudit } from './dnc-audit.js';
import { createDncStage } from './dnc-stage.js';
import { migrations } from './index.js';

const host = createServiceHost({
  name: 'dnc',
  schema: {
    kafkaBrokers: shared.kafkaBrokers(),
    databaseUrl: shared.databaseUrl(),
    redisUrl: shared.redisUrl(),
    partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })],
  },
});
const { config, logger, metrics } = host;
const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-dnc' });
const redis = createRedis({ url: config.redisUrl, name: 'leadflow-dnc' });
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'dnc', logger, partitions: config.partitions });
host.lifecycle.add({ name: 'postgres', start: async () => void (await migrate(db, migrations)), stop: () => db.close() });
host.lifecycle.add({ name: 'redis', start: () => redis.connect(), stop: async () => void (await redis.quit()) });
host.lifecycle.add(
  createStageService({
    name: 'dnc',
    bus,
    input: TOPICS.leadsEnriched,
    output: TOPICS.leadsScreened,
    stage: createDncStage({ registry: createRedisDncRegistry(redis), audit: createSqlDncAudit(db) }),
    jobIdOf: (b) => b.job?.jobId ?? '',
    poisonOutput: (b) => failedBatch(b, 'dnc'),
    countRows: (b) => countDispositions(b.rows),
    logger,
    metrics,
  }),
);
host.readyWhen(() => bus.consuming);
await host.run();
