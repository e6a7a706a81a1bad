#!/usr/bin/env node
import { createBus, createStageService, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { createPostgres, migrate } from '@leadflow/stores';
import { createDeliveryStage } from './delivery-stage.js';
import { createSqlDeliveryStore } from './delivery-store.js';
import { migrations } from './index.js';

const host = createServiceHost({
  name: 'delivery',
  schema: {
    kafkaBrokers: shared.kafkaBrokers(),
    databaseUrl: shared.databaseUrl(),
    partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })],
    maxAttempts: ['DELIVERY_MAX_ATTEMPTS', int({ min: 1, max: 20, default: 5 })],
    timeoutMs: ['DELIVERY_TIMEOUT_MS', int({ min: 100, default: 10_000 })],
  },
});
const { config, logger, metrics } = host;
const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-delivery' });
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'delivery', logger, partitions: config.partitions });
host.lifecycle.add({ name: 'postgres', start: async () => void (await migrate(db, migrations)), stop: () => db.close() });
host.lifecycle.add(
  createStageService({
    name: 'delivery',
    bus,
    input: TOPICS.leadsStored,
    stage: createDeliveryStage({
      store: createSqlDeliveryStore(db),
      logger,
      metrics,
      webhook: { maxAttempts: config.maxAttempts, timeoutMs: config.timeoutMs },
    }),
    jobIdOf: (b) => b.job?.jobId ?? '',
    logger,
    metrics,
  }),
);
host.readyWhen(() => bus.consuming);
await host.run();
