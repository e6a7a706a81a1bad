#!/usr/bin/env node
import { cancelledJobsFromConfig, cancelSchema, createBusFromConfig, kafkaSchema, priorityTopics, sendDeadLetter, topicFor, TOPICS } from '@leadflow/bus';
import { int } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { createPostgres, databaseModule } from '@leadflow/stores';
import { limitsFromConfig, limitsSchema } from './limits.js';
import { recordReads, saveRowsRead } from './read-progress.js';
import { createUploadAssembler } from './upload-assembler.js';

const host = createServiceHost({
  name: 'ingest',
  schema: {
    ...kafkaSchema,
    ...cancelSchema,
    ...limitsSchema,
    batchSize: ['BATCH_SIZE', int({ min: 1, max: 10_000, default: 500 })],
  },
});
const { config, logger, metrics } = host;
const bus = createBusFromConfig(config, 'ingest', logger);
// The rows read of each job while its upload arrives (jobs.rows_read: docs/upload-now.md).
const db = createPostgres({ url: config.databaseUrl, maxConnections: 2, applicationName: 'leadflow-ingest' });
host.lifecycle.add(databaseModule(db));
const saveRows = saveRowsRead(db);
const assembler = createUploadAssembler({
  batchSize: config.batchSize,
  limits: limitsFromConfig(config),
  logger,
  cancelled: cancelledJobsFromConfig(config, 'ingest', host.lifecycle),
  reads: (job) =>
    recordReads(
      (rows, total, files) => saveRows(job.jobId, rows, total, files),
      (err) => logger.warn({ err, jobId: job.jobId }, 'the rows read of a job could not be recorded'),
    ),
  emit: async (batch) => {
    await bus.send(topicFor(TOPICS.rowsRaw, batch.job), [{ key: batch.job!.jobId, value: batch }]);
    metrics.rows.inc({ stage: 'ingest', outcome: 'read' }, batch.rows.length);
    if (batch.last) metrics.jobs.inc({ status: batch.failure ? 'unreadable' : 'read' });
  },
});

host.lifecycle.add({
  name: 'uploads-consumer',
  async start() {
    await bus.ensureTopics([...priorityTopics(TOPICS.uploads), ...priorityTopics(TOPICS.rowsRaw), TOPICS.dlq]);
    await bus.consume({
      groupId: 'ingest',
      topic: TOPICS.uploads,
      // A high job's file is read before the chunks of normal and low ones (docs/job-priority.md).
      lanes: { topics: priorityTopics(TOPICS.uploads), pollMs: config.kafkaPriorityPollMs },
      // Offsets are per partition of each priority's topic.
      handle: (msg) => assembler.push(msg.value, `${msg.topic}/${msg.partition}`, msg.offset),
      commitOffset: (partition, nextOffset, topic) => assembler.safeOffset(`${topic}/${partition}`, nextOffset),
      onRevoked: assembler.reset,
      onUndecodable: async (raw) => {
        logger.error({ partition: raw.partition, offset: raw.offset }, 'undecodable upload chunk: sent to the dead-letter topic');
        await sendDeadLetter(bus, {
          service: 'ingest',
          sourceTopic: raw.topic,
          partition: raw.partition,
          offset: raw.offset,
          key: raw.key,
          payload: raw.bytes,
          error: Object.assign(raw.error, { code: 'LEADFLOW_ERR_DECODE' }),
        });
      },
    });
  },
  stop: () => bus.stop(),
});
host.readyWhen(() => bus.consuming);
await host.run();
