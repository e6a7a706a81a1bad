import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devSecretKeys } from '@leadflow/infra';
import { leadIdFor } from '@leadflow/pipeline';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  freePort, infraEnv, rescreenProblems, runRescreenScenario, startServices, startWebhookReceiver, uniqueName, type ServicesHandle, type WebhookReceiver,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Issue 13's "a list change re-screens stored leads" in Kafka mode (docs/rescreen.md): the gateway
 * asks for the re-screening when the internal list changes, the dnc service works through it
 * against the lists in Redis, marks the stored lead and writes lead.suppressed to the outbox, and
 * delivery sends it. The same scenario runs in `leadflow serve`.
 */
describe('Kafka mode: re-screening stored leads', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let receiver: WebhookReceiver;
  const tenant = uniqueName('rescreen');

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_400 + (process.pid % 40) * 10];
    receiver = await startWebhookReceiver();
    services = await startServices({
      env: infraEnv(), httpPort, grpcPort, metricsPortBase,
      extraEnv: { LOG_LEVEL: 'warn', LEADFLOW_SECRET_KEYS: devSecretKeys(), DNC_OPERATOR_TENANTS: tenant, DNC_RESCREEN_POLL_MS: '500' },
    });
    db = createPostgres({ url: infraEnv().DATABASE_URL });
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await receiver?.close();
    await db?.close();
  });

  it('suppresses a stored lead whose phone a list change adds, tells the receiver, and keeps an exempted one', { timeout: 600_000 }, async () => {
    const adminKey = (await createSqlApiKeyStore(db).create({ tenant, role: 'admin' })).key;
    const seen = await runRescreenScenario({
      base: `http://127.0.0.1:${services.httpPort}`, adminKey, receiver, numbers: ['+13075550187', '+13075550188'], timeoutMs: 240_000, leadIdFor,
    });
    expect(rescreenProblems(seen)).toEqual([]);
  });
});
