import { fileURLToPath } from 'node:url';
import type { Migrations } from '@leadflow/stores';

export { buildRestApp } from './rest-app.js';
export type { RestAppOptions } from './rest-app.js';
export { createGrpcServer, toProtoJob } from './grpc-server.js';
export type { GrpcServerOptions } from './grpc-server.js';
export { createJobService } from './job-service.js';
export type { JobService, JobServiceOptions, UploadMeta } from './job-service.js';
export { createSqlJobStore } from './job-store.js';
export type { JobStore, JobView, JobCountsView, JobStatusName } from './job-store.js';
export type { UploadSink, UploadWriter } from './upload-sink.js';
export { createKafkaUploadSink } from './kafka-upload-sink.js';
export { GatewayError } from './gateway-error.js';
export { exportCsv, EXPORT_KINDS } from './job-exports.js';
export { possibleDuplicateReview } from './review.js';
export type { ExportKind } from './job-exports.js';
export { API_KEY_PREFIX, ROLES } from './api-key.js';
export type { Role } from './api-key.js';
export { ApiKeyError, createSqlApiKeyStore, TENANT_NAME } from './api-key-store.js';
export type { ApiKeyStore, ApiKeyStoreOptions, ApiKeyView, Caller, NewApiKey } from './api-key-store.js';
export { concurrencyFromConfig, concurrencySchema, DEFAULT_LIMITS } from './concurrency-limit.js';
export type { ConcurrencyLimits } from './concurrency-limit.js';
export { serverRoutes } from './route-list.js';
export { createGateway } from './create-gateway.js';
export type { Gateway, GatewayOptions } from './create-gateway.js';

export const migrations: Migrations = { owner: 'gateway', dir: fileURLToPath(new URL('../migrations', import.meta.url)) };
