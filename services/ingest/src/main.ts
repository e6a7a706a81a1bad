#!/usr/bin/env node
import { createBus, TOPICS } from '@leadflow/bus';
import { int, shared } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { createUploadAssembler } from './upload-assembler.js';

const host = createServiceHost({
  name: 'ingest',
  schema: {
    kafkaBrokers: shared.kafkaBrokers(),
    partitions: ['KAFKA_PARTITIONS', int({ min: 1, default: 3 })],
    batchSize: ['BATCH_SIZE', int({ min: 1, max: 10_000, default: 500 })],
  },
});
const { config, logger, metrics } = host;
const bus = createBus({ brokers: config.kafkaBrokers, clientId: 'ingest', logger, partitions: config.partitions });
const assembler = createUploadAssembler({
  batchSize: config.batchSize,
  logger,
  emit: async (batch) => {
    await bus.send(TOPICS.rowsRaw, [{ key: batch.job!.jobId, value: batch }]);
    metrics.rows.inc({ stage: 'ingest', outcome: 'read' }, batch.rows.length);
    if (batch.last) metrics.jobs.inc({ status: batch.failure ? 'unreadable' : 'read' });
  },
});

host.lifecycle.add({
  name: 'uploads-consumer',
  async start() {
    await bus.ensureTopics([TOPICS.uploads, TOPICS.rowsRaw, TOPICS.dlq]);
    await bus.consume({
      groupId: 'ingest',
      topic: TOPICS.uploads,
      handle: (msg) => assembler.push(msg.value, msg.partition, msg.offset),
      commitOffset: assembler.safeOffset,
      onRevoked: assembler.reset,
      onUndecodable: async (raw) => {
        logger.error({ partition: raw.partition, offset: raw.offset }, 'undecodable upload chunk: sent to the dead-letter topic');
        await bus.send(TOPICS.dlq, [
          {
            key: raw.key,
            value: {
              sourceTopic: TOPICS.uploads.name,
              partition: raw.partition,
              offset: raw.offset,
              errorCode: 'LEADFLOW_ERR_DECODE',
              errorMessage: raw.error.message,
              payload: raw.bytes,
              jobId: raw.key,
              service: 'ingest',
            },
          },
        ]);
      },
    });
  },
  stop: () => bus.stop(),
});
host.readyWhen(() => bus.consuming);
await host.run();
