import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKeyWithCli, freePort, recordStreamScenario, startServe, tempDir, type RecordStreamContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Streams of records (docs/record-streams.md) in `leadflow serve`, over REST and gRPC, as a
 * partner system sends them; batches of two rows, so that a key first met in a later record
 * reaches mapping after the job's mapping was decided.
 */
describe('leadflow serve: a stream of records becomes a job', () => {
  let child: ChildProcess | undefined;
  const context: RecordStreamContext = { base: '', grpcAddress: '', key: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-records-'), 'db');
    context.key = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'records', role: 'uploader' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    child = (await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', BATCH_SIZE: '2' })).child;
  }, 300_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  recordStreamScenario(() => context);
});
