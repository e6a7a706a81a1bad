import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKeyWithCli, freePort, itChecksTheGrpcQueue, runGrpcQueueScenario, startServe, tempDir, testSeed, type GrpcQueueScenario, type ServeProcess } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Issue 12's limit of running jobs and upload priority in `leadflow serve`, over gRPC alone
 * (UploadMetadata.priority, GetJobLimits, SetJobLimits, ListJobs, GetJob): the REST twin is
 * leadflow-priority.int.test.ts (docs/job-priority.md).
 */
describe('leadflow serve over gRPC: the limit of running jobs starts queued jobs in priority order', () => {
  let serve: ServeProcess;
  let child: ChildProcess;
  let run: GrpcQueueScenario;

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-grpc-queue-'), 'db');
    const admin = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'acme', role: 'admin' });
    const grpcPort = await freePort();
    serve = await startServe(BIN, { HTTP_PORT: String(await freePort()), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' });
    child = serve.child;
    run = await runGrpcQueueScenario(`127.0.0.1:${grpcPort}`, admin, { rows: { first: 2_000, low: 300, high: 300 }, seed: testSeed(), timeoutMs: 600_000 });
  }, 900_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  itChecksTheGrpcQueue(() => run);
});
