import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, qualityScenario, startServices, uniqueName, type ServicesHandle, type QualityScenarioContext } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * A tenant's quality settings in Kafka mode (docs/enrichment.md): the same scenario as `leadflow
 * serve`'s (services/cli/src/leadflow-quality.int.test.ts), the settings read by the dedup and
 * enrichment services from the gateway's table.
 */
describe('the gateway in Kafka mode: lead quality', () => {
  let services: ServicesHandle | undefined;
  let db: SqlClient | undefined;
  const context: QualityScenarioContext = { base: '', grpcAddress: '', admin: '', timeoutMs: 180_000 };

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_800 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn' } });
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // As an operator makes them with leadflow keys create on DATABASE_URL; tenants of this run only.
    const keys = createSqlApiKeyStore(db);
    context.admin = (await keys.create({ tenant: uniqueName('quality'), role: 'admin' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  qualityScenario(() => context);
});
