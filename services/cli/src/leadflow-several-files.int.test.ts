import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKeyWithCli, freePort, severalFilesScenario, startServe, tempDir, type SeveralFilesContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Several files, one job (docs/several-files.md) in `leadflow serve`, over REST and gRPC, as a
 * partner system uploads them; batches of two rows, so that each file's rows span batches.
 */
describe('leadflow serve: several files make one job', () => {
  let child: ChildProcess | undefined;
  const context: SeveralFilesContext = { base: '', grpcAddress: '', key: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-several-'), 'db');
    context.key = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'several', role: 'uploader' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    child = (await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', BATCH_SIZE: '2' })).child;
  }, 300_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  severalFilesScenario(() => context);
});
