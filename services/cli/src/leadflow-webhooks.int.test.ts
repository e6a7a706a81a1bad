import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import {
  createKeyWithCli, createPrivateDatabase, freePort, itChecksTheWebhookApi, runWebhookApiScenario, startServe, type PrivateDatabase, type ServeProcess,
  type WebhookApiScenario,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Issue 14's control surface of delivery in `leadflow serve`, on a database of its own so that its
 * rows can be read while serve runs, with LEADFLOW_SECRET_KEYS set so that its secrets can be
 * opened here. The same scenario runs in Kafka mode (services/gateway/src/kafka-webhooks.int.test.ts).
 */
describe('leadflow serve: webhook endpoints, job rates, deliveries and replay', () => {
  let serve: ServeProcess;
  let child: ChildProcess;
  let database: PrivateDatabase;
  let run: WebhookApiScenario;

  beforeAll(async () => {
    database = await createPrivateDatabase('hooks');
    const keys = newKeyEntry('k1');
    const env = { DATABASE_URL: database.url, LEADFLOW_SECRET_KEYS: keys };
    const adminKey = await createKeyWithCli(BIN, env, { tenant: 'acme', role: 'admin' });
    const viewerKey = await createKeyWithCli(BIN, env, { tenant: 'acme', role: 'viewer' });
    const otherAdminKey = await createKeyWithCli(BIN, env, { tenant: 'globex', role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    serve = await startServe(BIN, { ...env, HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), HTTP_HOST: '', LOG_LEVEL: 'warn' });
    child = serve.child;
    const keyring = createKeyring(parseSecretKeys(keys), 'LEADFLOW_SECRET_KEYS');
    run = await runWebhookApiScenario({
      base: `http://127.0.0.1:${httpPort}`,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      adminKey,
      viewerKey,
      otherAdminKey,
      db: database.db,
      open: (sealed, context) => keyring.open(sealed, context),
      timeoutMs: 240_000,
    });
  }, 600_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
  });

  itChecksTheWebhookApi(() => run);
});
