import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runReviewUpdatedScenario, startServeWithKeys, startWebhookReceiver, type ReceivedRequest, type ServeTarget, type WebhookReceiver } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Whether a request verifies with Standard Webhooks' reference library. */
function verifies(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

/** Issue 14's lead.updated after a review decision and a reverted merge, from `leadflow serve` (testkit runReviewUpdatedScenario). */
describe('leadflow serve: lead.updated after a review decision and a reverted merge', () => {
  let serve: ServeTarget;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    serve = await startServeWithKeys(BIN, { prefix: 'review-updated', keys: { admin: { tenant: 'acme', role: 'admin' } } });
  }, 120_000);
  afterAll(async () => {
    serve?.stop();
    await receiver?.close();
  });

  it('sends the lead a review decision merged a row into, and sends it again when that merge is undone', async () => {
    await runReviewUpdatedScenario({ base: serve.base, adminKey: serve.keys.admin!, receiver, verifies });
  }, 300_000);
});
