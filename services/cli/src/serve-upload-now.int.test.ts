import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { createKeyWithCli, devSecretKeys, freePort, infraEnv, startServe, tempDir, uniqueName, uploadNowScenario, type ServeProcess } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

describe('leadflow serve: an upload answered at once', () => {
  let serve: ServeProcess;
  let db: SqlClient;
  let httpPort: number;
  let grpcPort: number;
  let key: string;

  beforeAll(async () => {
    [httpPort, grpcPort] = [await freePort(), await freePort()];
    // The installation's database, shared with the services of other tests: serve opens its
    // webhook secrets with the installation's keys, as every process on that database must.
    const env = { DATABASE_URL: infraEnv().DATABASE_URL, LEADFLOW_SECRET_KEYS: devSecretKeys() };
    db = createPostgres({ url: env.DATABASE_URL });
    key = await createKeyWithCli(BIN, env, { tenant: uniqueName('upload-now'), role: 'uploader' });
    serve = await startServe(BIN, {
      ...env,
      HTTP_PORT: String(httpPort),
      GRPC_PORT: String(grpcPort),
      LEADFLOW_DATA_DIR: join(tempDir('leadflow-upload-now-'), 'db'),
      LOG_LEVEL: 'warn',
    });
  }, 300_000);
  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await new Promise((resolve) => serve.child.once('exit', resolve));
    }
    await db?.close();
  });

  uploadNowScenario(() => ({ httpPort, grpcAddress: `127.0.0.1:${grpcPort}`, key, db, timeoutMs: 180_000 }));
});
