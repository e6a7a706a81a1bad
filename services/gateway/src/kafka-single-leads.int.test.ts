import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { freePort, infraEnv, singleLeadScenario, startServices, uniqueName, type ServicesHandle, type SingleLeadScenarioContext } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Leads that arrive one at a time (docs/single-leads.md) in Kafka mode, over REST and gRPC: the
 * same scenario as `leadflow serve`'s (services/cli/src/leadflow-single-leads.int.test.ts), each
 * lead sent past ingest to the mapping service and its outcome read from persistence's tables.
 */
describe('the gateway in Kafka mode: single leads', () => {
  let services: ServicesHandle | undefined;
  let db: SqlClient | undefined;
  const context: SingleLeadScenarioContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 180_000 };

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_800 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn' } });
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // As an operator makes them with leadflow keys create on DATABASE_URL; tenants of this run only.
    const keys = createSqlApiKeyStore(db);
    context.adminA = (await keys.create({ tenant: uniqueName('shop'), role: 'admin' })).key;
    context.adminB = (await keys.create({ tenant: uniqueName('rival'), role: 'admin' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  singleLeadScenario(() => context);
});
