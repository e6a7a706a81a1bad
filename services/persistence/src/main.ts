#!/usr/bin/env node
import { createBus, createStageService, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { countDispositions, failedBatch } from '@leadflow/pipeline';
import { createPostgres, migrate } from '@leadflow/stores';
import { migrations } from './index.js';
import { createSqlLeadStore } from './lead-store.js';
import { createPersistenceStage } from './persistence-stage.js';

const host = createServiceHost({
  name: 'persistence',
  schema: {
    kafkaBrokers: shared.kafkaBrokers(),
    databaseUrl: shared.databaseUrl(),
    partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })],
  },
});
const { config, logger, metrics } = host;
const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-persistence' });
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'persistence', logger, partitions: config.partitions });
host.lifecycle.add({ name: 'postgres', start: async () => void (await migrate(db, migrations)), stop: () => db.close() });
host.lifecycle.add(
  createStageService({
    name: 'persistence',
    bus,
    input: TOPICS.leadsScreened,
    output: TOPICS.leadsStored,
    stage: createPersistenceStage({ store: createSqlLeadStore(db), logger, metrics }),
    jobIdOf: (b) => b.job?.jobId ?? '',
    poisonOutput: (b) => failedBatch(b, 'persistence'),
    countRows: (b) => countDispositions(b.rows),
    logger,
    metrics,
  }),
);
host.readyWhen(() => bus.consuming);
await host.run();
