#!/usr/bin/env node
import { createBusFromConfig, kafkaSchema, TOPICS } from '@leadflow/bus';
import { int, port, shared, str } from '@leadflow/config';
import { createServiceHost } from '@leadflow/lifecycle';
import { createPostgres, createRedis, createRedisDncRegistry, databaseModule, redisModule } from '@leadflow/stores';
import { createRedisCandidateIndex } from '@leadflow/dedup';
import { createGateway } from './create-gateway.js';
import { migrations } from './index.js';
import { createKafkaUploadSink } from './kafka-upload-sink.js';

const host = createServiceHost({
  name: 'gateway',
  schema: {
    ...kafkaSchema,
    databaseUrl: shared.databaseUrl(),
    redisUrl: shared.redisUrl(),
    httpPort: ['HTTP_PORT', port({ default: 8080 })],
    grpcPort: ['GRPC_PORT', port({ default: 50051 })],
    maxUploadBytes: ['GATEWAY_MAX_UPLOAD_BYTES', int({ min: 1, default: 1024 * 1024 * 1024 })],
    tenantId: ['GATEWAY_TENANT', str({ default: 'default', description: 'tenant of every request until API keys exist' })],
  },
});
const { config, logger } = host;
const db = createPostgres({ url: config.databaseUrl, applicationName: 'leadflow-gateway' });
const redis = createRedis({ url: config.redisUrl, name: 'leadflow-gateway' });
const bus = createBusFromConfig(config, 'gateway', logger);
host.lifecycle.add(databaseModule(db, migrations));
host.lifecycle.add(redisModule(redis));
host.lifecycle.add({ name: 'kafka', start: () => bus.ensureTopics([TOPICS.uploads, TOPICS.rowsRaw]), stop: () => bus.stop() });
host.lifecycle.add(
  createGateway({
    db,
    uploads: createKafkaUploadSink(bus),
    dnc: createRedisDncRegistry(redis),
    dedupIndex: createRedisCandidateIndex(redis),
    logger,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    maxUploadBytes: config.maxUploadBytes,
    tenantId: config.tenantId,
  }),
);
await host.run();
