import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  expectRateChangeSeen, freePort, infraEnv, runRateChangeScenario, startServices, startWebhookReceiver, uniqueName, type ServicesHandle, type WebhookReceiver,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Issue 14's "a rate change is seen by the receiver within a second" in Kafka mode, where the
 * job's bucket is in Redis: the scenario `leadflow serve` runs too
 * (services/cli/src/leadflow-delivery-restart.int.test.ts).
 */
describe('delivery in Kafka mode: a job rate turned while it delivers', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let receiver: WebhookReceiver;
  let base: string;

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_400 + (process.pid % 40) * 10];
    receiver = await startWebhookReceiver();
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn' } });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    base = `http://127.0.0.1:${httpPort}`;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
    await receiver?.close();
  });

  it('sends at 2 a second, then at the 20 set while it runs, seen by the receiver within a second', { timeout: 10 * 60_000 }, async () => {
    const adminKey = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('rate'), role: 'admin' })).key;
    expectRateChangeSeen(await runRateChangeScenario({ base, adminKey, receiver, seed: 3030, timeoutMs: 240_000 }));
  });
});
