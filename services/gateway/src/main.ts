#!/usr/bin/env node
import { createBusFromConfig, kafkaSchema, priorityTopics, STAGE_INPUTS } from '@leadflow/bus';
import { int, port, shared, str } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { migrations as deliveryMigrations } from '@leadflow/delivery';
import { outboundRulesFromConfig, outboundSchema } from '@leadflow/outbound';
import { secretKeysSchema } from '@leadflow/secrets';
import { createPostgres, createRedis, createRedisDncRegistry, databaseModule, dncListMigrations, migrate, redisModule } from '@leadflow/stores';
import { createRedisCandidateIndex } from '@leadflow/dedup';
import { migrations as mappingMigrations } from '@leadflow/mapping';
import { storedOutcomes } from '@leadflow/persistence';
import { concurrencyFromConfig, concurrencySchema } from './concurrency-limit.js';
import { createGateway } from './create-gateway.js';
import { migrations } from './index.js';
import { createSqlJobStore } from './job-store.js';
import { createKafkaLeadSink } from './kafka-lead-sink.js';
import { jobMetricsSchema } from './job-metrics.js';
import { createKafkaUploadSink } from './kafka-upload-sink.js';
import { stalledJobsGauge } from './stalled-jobs.js';
import { DNC_AUDIT_PURPOSE } from './dnc-compliance-service.js';

const host = createServiceHost({
  name: 'gateway',
  schema: {
    ...kafkaSchema,
    databaseUrl: shared.databaseUrl(),
    redisUrl: shared.redisUrl(),
    ...outboundSchema,
    // Webhook endpoints' secrets are made, rotated and shown over the API: sealed with these keys, as delivery opens them.
    ...secretKeysSchema,
    httpPort: ['HTTP_PORT', port({ default: 8080 })],
    grpcPort: ['GRPC_PORT', port({ default: 50051 })],
    maxUploadBytes: ['GATEWAY_MAX_UPLOAD_BYTES', int({ min: 1, default: 1024 * 1024 * 1024 })],
    dncOperators: ['DNC_OPERATOR_TENANTS', str({ default: '', description: 'tenants (comma-separated) whose admins may load the shared Do-Not-Call lists over the API' })],
    ...concurrencySchema,
    ...jobMetricsSchema,
    stalledAfterMs: [
      'GATEWAY_JOB_STALLED_AFTER_MS',
      int({ min: 1000, default: 600_000, description: 'a job whose rows stop arriving for this long is shown stalled, and counted in leadflow_gateway_jobs_stalled' }),
    ],
  },
});
const { config, logger, metrics } = host;
const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-gateway' });
const redis = createRedis({ url: config.redisUrl, name: 'leadflow-gateway' });
const bus = createBusFromConfig(config, 'gateway', logger);
host.lifecycle.add(databaseModule(db, migrations));
// The synonyms the API edits are the mapping service's tables: made here too, so that the API
// works before the mapping service first starts (migrate applies each file once, whoever runs it).
host.lifecycle.add({ name: 'mapping-tables', start: async () => void (await migrate(db, mappingMigrations)), stop: async () => {} });
// The DNC lists the API adds numbers to are the dnc service's truth (docs/dnc-lists.md): made here too.
host.lifecycle.add({ name: 'dnc-lists', start: async () => void (await migrate(db, dncListMigrations)), stop: async () => {} });
// The webhook endpoints, rates and deliveries the API manages are delivery's tables (docs/delivery.md): made here too.
host.lifecycle.add({ name: 'delivery-tables', start: async () => void (await migrate(db, deliveryMigrations)), stop: async () => {} });
host.lifecycle.add(redisModule(redis));
host.lifecycle.add({ name: 'kafka', start: () => bus.ensureTopics(STAGE_INPUTS.flatMap((g) => priorityTopics(g.topic))), stop: () => bus.stop() });
host.lifecycle.add(
  createGateway({
    db,
    uploads: createKafkaUploadSink(bus),
    // Single leads belong on the high-priority topics once job priority lands (docs/single-leads.md).
    leads: createKafkaLeadSink(bus, (tenantId, jobIds) => storedOutcomes(db, tenantId, jobIds), {
      onError: (err) => logger.warn({ err }, 'the outcomes of single leads could not be read; asking again'),
    }),
    dnc: createRedisDncRegistry(redis, db),
    dedupIndex: createRedisCandidateIndex(redis),
    redis,
    logger,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    maxUploadBytes: config.maxUploadBytes,
    dncOperators: config.dncOperators.split(',').map((t) => t.trim()).filter(Boolean),
    auditHashes: config.secretKeys ? (phone) => config.secretKeys!.keyedHashes(DNC_AUDIT_PURPOSE, phone).map((h) => h.hash) : undefined,
    authFailures: metrics.authFailures,
    jobsEnded: metrics.jobs,
    limits: concurrencyFromConfig(config),
    stalledAfterMs: config.stalledAfterMs,
    outbound: outboundRulesFromConfig(config),
    secretKeys: config.secretKeys,
    // The gateway reads every stage's consumer lag: one place, whatever the stages' replicas.
    jobMetrics: { metrics, lag: () => bus.consumerLag(STAGE_INPUTS), intervalMs: config.jobMetricsIntervalMs, maxJobs: config.jobMetricsJobs },
  }),
);
host.lifecycle.add(
  stalledJobsGauge({
    jobs: createSqlJobStore(db, { stalledAfterMs: config.stalledAfterMs }),
    gauge: metrics.jobsStalled,
    intervalMs: Math.min(30_000, Math.max(1000, config.stalledAfterMs / 4)),
    logger,
  }),
);
await host.run();
