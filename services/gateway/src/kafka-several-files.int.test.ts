import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, severalFilesScenario, startServices, uniqueName, type SeveralFilesContext, type ServicesHandle } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Several files, one job (docs/several-files.md) in Kafka mode, over REST and gRPC: the same
 * scenario as `leadflow serve`'s (services/cli/src/leadflow-several-files.int.test.ts), each file
 * carried gateway → ingest on the uploads topic after a chunk that starts it, in batches of two rows.
 */
describe('the gateway in Kafka mode: several files make one job', () => {
  let services: ServicesHandle | undefined;
  let db: SqlClient | undefined;
  const context: SeveralFilesContext = { base: '', grpcAddress: '', key: '', timeoutMs: 180_000 };

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 21_700 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '2' } });
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    context.key = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('several'), role: 'uploader' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  severalFilesScenario(() => context);
});
