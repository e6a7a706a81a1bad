import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createSqlApiKeyStore } from '@leadflow/gateway';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  freePort, infraEnv, runReviewUpdatedScenario, startServices, startWebhookReceiver, uniqueName, type ReceivedRequest, type ServicesHandle, type WebhookReceiver,
} from '@leadflow/testkit';

/** Whether a request verifies with Standard Webhooks' reference library. */
function verifies(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue 14's lead.updated after a review decision and a reverted merge in Kafka mode: the gateway
 * service writes the event in the decision's transaction, a delivery replica's dispatcher finds it
 * at its next poll and sends it (testkit runReviewUpdatedScenario, also run by `leadflow serve`).
 */
describe('Kafka mode: lead.updated after a review decision and a reverted merge', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let receiver: WebhookReceiver;
  let base: string;

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_600 + (process.pid % 40) * 10];
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

  it('sends the lead a review decision merged a row into, and sends it again when that merge is undone', { timeout: 10 * 60_000 }, async () => {
    const adminKey = (await createSqlApiKeyStore(db).create({ tenant: uniqueName('review-updated'), role: 'admin' })).key;
    await runReviewUpdatedScenario({ base, adminKey, receiver, verifies, timeoutMs: 240_000 });
  });
});
