import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  callRest, createKeyWithCli, freePort, itChecksTheCancel, runCancelScenario, startServe, startWebhookReceiver, tempDir, testSeed,
  type CancelScenario, type ServeProcess, type WebhookReceiver,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Issue 12's cancel in `leadflow serve`: a running job stopped in every stage, as a partner system sees it. */
describe('leadflow serve: POST /v1/jobs/{id}/cancel', () => {
  let serve: ServeProcess;
  let child: ChildProcess;
  let webhook: WebhookReceiver;
  let run: CancelScenario;
  let base: string;
  let uploader: string;

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-cancel-'), 'db');
    const admin = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'acme', role: 'admin' });
    const httpPort = await freePort();
    base = `http://127.0.0.1:${httpPort}`;
    serve = await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(await freePort()), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' });
    child = serve.child;
    // Whoever may upload may stop: the scenario runs with an uploader key.
    uploader = JSON.parse((await callRest(base, admin, 'POST', '/v1/keys', { json: { role: 'uploader', name: 'cancel' } })).text).key;
    webhook = await startWebhookReceiver();
    run = await runCancelScenario(base, uploader, webhook, { rows: 20_000, seed: testSeed(), timeoutMs: 480_000 });
  }, 900_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await webhook?.close();
  });

  itChecksTheCancel(() => run);
});
