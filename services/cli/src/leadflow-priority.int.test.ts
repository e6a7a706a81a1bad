import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  createKeyWithCli, freePort, itChecksTheJobLimits, itChecksThePriority, runJobLimitsScenario, runPriorityScenario, startServe, tempDir, testSeed,
  type JobLimitsScenario, type PriorityScenario, type ServeProcess,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Issue 12's priority and limit of running jobs in `leadflow serve`, as a partner system sees them (docs/job-priority.md). */
describe('leadflow serve: upload priority and the limit of running jobs', () => {
  let serve: ServeProcess;
  let child: ChildProcess;
  let run: PriorityScenario;
  let limits: JobLimitsScenario;

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-priority-'), 'db');
    const admin = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'acme', role: 'admin' });
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    serve = await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(await freePort()), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', BATCH_SIZE: '100' });
    child = serve.child;
    // Small batches: the few a low job has inside the stages when a high one arrives are few rows.
    run = await runPriorityScenario(base, admin, { lowRows: 60_000, highRows: 1_000, seed: testSeed(), timeoutMs: 600_000, lowRunningWhen: 'read' });
    limits = await runJobLimitsScenario(base, admin, { firstRows: 20_000, secondRows: 500, seed: testSeed(), timeoutMs: 600_000 });
  }, 1_200_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  describe('priority', () => itChecksThePriority(() => run));
  describe('limit of running jobs', () => itChecksTheJobLimits(() => limits));
});
