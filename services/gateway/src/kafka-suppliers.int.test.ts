import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, startServices, supplierScenario, tagScorecardScenario, uniqueName, type ServicesHandle, type SupplierScenarioContext } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Suppliers and their cost (docs/suppliers.md) in Kafka mode, over REST and gRPC, as a partner
 * system drives them: the same scenario as `leadflow serve`'s (services/cli/src/leadflow-suppliers.int.test.ts),
 * the supplier's phone region carried to the mapping service on the job's batches.
 */
describe('the gateway in Kafka mode: suppliers and cost', () => {
  let services: ServicesHandle | undefined;
  let db: SqlClient | undefined;
  const context: SupplierScenarioContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 180_000 };

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_400 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn' } });
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // As an operator makes them with leadflow keys create on DATABASE_URL; tenants of this run only.
    const keys = createSqlApiKeyStore(db);
    context.adminA = (await keys.create({ tenant: uniqueName('acme'), role: 'admin' })).key;
    context.adminB = (await keys.create({ tenant: uniqueName('globex'), role: 'admin' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  // Before any job of tenant B in these services: its rules are read when the enrichment stage first sees the tenant.
  tagScorecardScenario(() => context);
  supplierScenario(() => context);
});
