import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  freePort, infraEnv, itChecksTheGrpcQueue, itChecksTheJobLimits, itChecksThePriority, runGrpcQueueScenario, runJobLimitsScenario, runPriorityScenario, startServices,
  testSeed, uniqueName, type GrpcQueueScenario, type JobLimitsScenario, type PriorityScenario, type ServicesHandle,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Issue 12's priority in Kafka mode: a 1,000-row high job uploaded while a large low job runs
 * overtakes it in every stage (docs/job-priority.md). The same scenario runs in `leadflow serve`.
 */
describe('the eight services in Kafka mode: upload priority and the limit of running jobs', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let run: PriorityScenario;
  let limits: JobLimitsScenario;
  let grpcQueue: GrpcQueueScenario;

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_800 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '200' } });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    const uploader = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('prio'), role: 'uploader' })).key;
    run = await runPriorityScenario(`http://127.0.0.1:${httpPort}`, uploader, { lowRows: 20_000, highRows: 1_000, seed: testSeed(), timeoutMs: 600_000 });
    const admin = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('limits'), role: 'admin' })).key;
    limits = await runJobLimitsScenario(`http://127.0.0.1:${httpPort}`, admin, { firstRows: 3_000, secondRows: 500, seed: testSeed(), timeoutMs: 600_000 });
    const grpcAdmin = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('grpc-queue'), role: 'admin' })).key;
    grpcQueue = await runGrpcQueueScenario(`127.0.0.1:${grpcPort}`, grpcAdmin, { rows: { first: 2_000, low: 300, high: 300 }, seed: testSeed(), timeoutMs: 600_000 });
  }, 1_800_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  describe('priority', () => itChecksThePriority(() => run));
  describe('limit of running jobs', () => itChecksTheJobLimits(() => limits));
  describe('the limit and priority over gRPC alone', () => itChecksTheGrpcQueue(() => grpcQueue));
});
