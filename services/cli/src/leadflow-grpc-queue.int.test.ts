import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { itChecksTheGrpcQueue, runGrpcQueueScenario, startServeWithKeys, testSeed, type GrpcQueueScenario, type ServeTarget } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Issue 12's limit of running jobs and upload priority in `leadflow serve`, over gRPC alone
 * (UploadMetadata.priority, GetJobLimits, SetJobLimits, ListJobs, GetJob): the REST twin is
 * leadflow-priority.int.test.ts (docs/job-priority.md).
 */
describe('leadflow serve over gRPC: the limit of running jobs starts queued jobs in priority order', () => {
  let serve: ServeTarget | undefined;
  let run: GrpcQueueScenario;

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-grpc-queue-', keys: { admin: { tenant: 'acme', role: 'admin' } } });
    run = await runGrpcQueueScenario(serve.grpcAddress, serve.keys.admin!, { rows: { first: 2_000, low: 300, high: 300 }, seed: testSeed(), timeoutMs: 600_000 });
  }, 900_000);
  afterAll(() => serve?.stop());

  itChecksTheGrpcQueue(() => run);
});
