import { afterAll, beforeAll, describe } from 'vitest';
import { devSecretKeys } from '@leadflow/infra';
import { createKeyring, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  freePort, infraEnv, itChecksTheWebhookApi, runWebhookApiScenario, startServices, uniqueName, type ServicesHandle, type WebhookApiScenario,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Issue 14's control surface of delivery in Kafka mode: the gateway service makes, seals, rotates
 * and shows webhook secrets with LEADFLOW_SECRET_KEYS (the services' own), sets a job's rate, lists
 * deliveries and replays them. The same scenario runs in `leadflow serve`.
 */
describe('the gateway in Kafka mode: webhook endpoints, job rates, deliveries and replay', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let run: WebhookApiScenario;

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_800 + (process.pid % 40) * 10];
    const keys = devSecretKeys();
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', LEADFLOW_SECRET_KEYS: keys } });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    const store = createSqlApiKeyStore(db);
    const tenant = uniqueName('hooks');
    const keyring = createKeyring(parseSecretKeys(keys), 'LEADFLOW_SECRET_KEYS');
    run = await runWebhookApiScenario({
      base: `http://127.0.0.1:${httpPort}`,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      adminKey: (await store.create({ tenant, role: 'admin' })).key,
      viewerKey: (await store.create({ tenant, role: 'viewer' })).key,
      otherAdminKey: (await store.create({ tenant: uniqueName('hooks-other'), role: 'admin' })).key,
      db,
      open: (sealed, context) => keyring.open(sealed, context),
      timeoutMs: 240_000,
    });
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  itChecksTheWebhookApi(() => run);
});
