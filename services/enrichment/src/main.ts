#!/usr/bin/env node
import { createBus, createStageService, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { countDispositions, failedBatch } from '@leadflow/pipeline';
import { createEnrichmentStage } from './enrichment-stage.js';

const host = createServiceHost({
  name: 'enrichment',
  schema: { kafkaBrokers: shared.kafkaBrokers(), partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })] },
});
const { config, logger, metrics } = host;
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'enrichment', logger, partitions: config.partitions });
host.lifecycle.add(
  createStageService({
    name: 'enrichment',
    bus,
    input: TOPICS.leadsDeduped,
    output: TOPICS.leadsEnriched,
    stage: createEnrichmentStage(),
    jobIdOf: (b) => b.job?.jobId ?? '',
    poisonOutput: (b) => failedBatch(b, 'enrichment'),
    countRows: (b) => countDispositions(b.rows),
    logger,
    metrics,
  }),
);
host.readyWhen(() => bus.consuming);
await host.run();
