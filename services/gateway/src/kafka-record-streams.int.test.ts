import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, recordStreamScenario, startServices, uniqueName, type RecordStreamContext, type ServicesHandle } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Streams of records (docs/record-streams.md) in Kafka mode, over REST and gRPC: the same scenario
 * as `leadflow serve`'s (services/cli/src/leadflow-record-streams.int.test.ts), the records
 * carried gateway → ingest on the uploads topic as a file's bytes are, in batches of two rows.
 */
describe('the gateway in Kafka mode: a stream of records becomes a job', () => {
  let services: ServicesHandle | undefined;
  let db: SqlClient | undefined;
  const context: RecordStreamContext = { base: '', grpcAddress: '', key: '', timeoutMs: 180_000 };

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_200 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '2' } });
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    context.key = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('records'), role: 'uploader' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  recordStreamScenario(() => context);
});
