import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, startServices, uniqueName, uploadNowScenario, type ServicesHandle } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/** Upload answers at once (issue 12) in Kafka mode: the eight services, driven as a partner system would. */
describe('the gateway in Kafka mode: an upload answered at once', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let httpPort: number;
  let grpcPort: number;
  let key: string;

  beforeAll(async () => {
    const metricsPortBase = 19_200 + (process.pid % 40) * 10;
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn' } });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    key = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('upload-now'), role: 'uploader' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  uploadNowScenario(() => ({ httpPort, grpcAddress: `127.0.0.1:${grpcPort}`, key, db, timeoutMs: 300_000 }));
});
