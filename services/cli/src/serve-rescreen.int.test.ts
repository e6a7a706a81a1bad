import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadIdFor } from '@leadflow/pipeline';
import { rescreenProblems, runRescreenScenario, startServeWithKeys, startWebhookReceiver, type ServeTarget, type WebhookReceiver } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Issue 13's "a list change re-screens stored leads", as a partner sees it from `leadflow serve`
 * (testkit runRescreenScenario; the same runs in Kafka mode): two leads accepted and delivered; one's
 * phone then added to the tenant's internal list by a change list; that stored lead is suppressed
 * (DNC_INTERNAL naming the list and snapshot), leaves leads.csv, and the receiver gets a signed
 * lead.suppressed and nothing more for it; the other, on the national list with the person's
 * consent, stays accepted through a re-screening asked for with POST /v1/dnc/rescreen.
 */
describe('leadflow serve: re-screening stored leads', () => {
  let serve: ServeTarget;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    serve = await startServeWithKeys(BIN, {
      prefix: 'rescreen', keys: { admin: { tenant: 'acme', role: 'admin' } }, env: { DNC_OPERATOR_TENANTS: 'acme', DNC_RESCREEN_POLL_MS: '500' },
    });
  }, 120_000);
  afterAll(async () => {
    serve?.stop();
    await receiver?.close();
  });

  it('suppresses a stored lead whose phone a list change adds, tells the receiver, and keeps an exempted one', { timeout: 300_000 }, async () => {
    const seen = await runRescreenScenario({
      base: serve.base, adminKey: serve.keys.admin!, receiver, numbers: ['+12015550141', '+12015550142'], timeoutMs: 120_000, leadIdFor,
    });
    expect(rescreenProblems(seen)).toEqual([]);
  });
});
