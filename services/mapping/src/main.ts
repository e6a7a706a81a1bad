#!/usr/bin/env node
import { createBus, createStageService, TOPICS } from '@leadflow/bus';
import { int, shared, str } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { countDispositions, jobFailure } from '@leadflow/pipeline';
import { createMappingStage } from './mapping-stage.js';

const host = createServiceHost({
  name: 'mapping',
  schema: {
    kafkaBrokers: shared.kafkaBrokers(),
    partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })],
    defaultRegion: ['MAPPING_DEFAULT_REGION', str({ default: 'US', description: 'ISO country for numbers without a country code' })],
  },
});
const { config, logger, metrics } = host;
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'mapping', logger, partitions: config.partitions });
host.lifecycle.add(
  createStageService({
    name: 'mapping',
    bus,
    input: TOPICS.rowsRaw,
    output: TOPICS.leadsMapped,
    stage: createMappingStage({ defaultRegion: config.defaultRegion }),
    jobIdOf: (b) => b.job?.jobId ?? '',
    poisonOutput: (b) => ({
      job: b.job, seq: b.seq, header: b.header, mapping: [], rows: [], last: b.last, totalRows: b.totalRows,
      failure: jobFailure('INTERNAL', `mapping failed on batch ${b.seq}; the batch is in the dead-letter topic`),
    }),
    countRows: (b) => countDispositions(b.rows),
    logger,
    metrics,
  }),
);
host.readyWhen(() => bus.consuming);
await host.run();
