import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  freePort, infraEnv, itChecksTheCancel, runCancelScenario, startServices, startWebhookReceiver, testSeed, uniqueName,
  type CancelScenario, type ServicesHandle, type WebhookReceiver,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Issue 12's cancel in Kafka mode: the same scenario as `leadflow serve`'s
 * (services/cli/src/leadflow-cancel.int.test.ts), a running job stopped in each of the eight
 * services, its dedup claims in Redis.
 */
describe('the eight services in Kafka mode: POST /v1/jobs/{id}/cancel', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let webhook: WebhookReceiver;
  let run: CancelScenario;

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_400 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '200' } });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // Whoever may upload may stop: the scenario runs with an uploader key.
    const uploader = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('acme'), role: 'uploader' })).key;
    webhook = await startWebhookReceiver();
    run = await runCancelScenario(`http://127.0.0.1:${httpPort}`, uploader, webhook, { rows: 20_000, seed: testSeed(), timeoutMs: 480_000 });
  }, 900_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
    await webhook?.close();
  });

  itChecksTheCancel(() => run);
});
