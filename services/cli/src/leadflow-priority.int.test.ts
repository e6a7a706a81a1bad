import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  itChecksTheJobLimits, itChecksThePriority, runJobLimitsScenario, runPriorityScenario, startServeWithKeys, testSeed,
  type JobLimitsScenario, type PriorityScenario, type ServeTarget,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Issue 12's priority and limit of running jobs in `leadflow serve`, as a partner system sees them (docs/job-priority.md). */
describe('leadflow serve: upload priority and the limit of running jobs', () => {
  let serve: ServeTarget | undefined;
  let run: PriorityScenario;
  let limits: JobLimitsScenario;

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-priority-', keys: { admin: { tenant: 'acme', role: 'admin' } }, env: { BATCH_SIZE: '100' } });
    const { base, keys: { admin } } = serve;
    // Small batches: the few a low job has inside the stages when a high one arrives are few rows.
    run = await runPriorityScenario(base, admin!, { lowRows: 60_000, highRows: 1_000, seed: testSeed(), timeoutMs: 600_000, lowRunningWhen: 'read' });
    limits = await runJobLimitsScenario(base, admin!, { firstRows: 20_000, secondRows: 500, seed: testSeed(), timeoutMs: 600_000 });
  }, 1_200_000);
  afterAll(() => serve?.stop());

  describe('priority', () => itChecksThePriority(() => run));
  describe('limit of running jobs', () => itChecksTheJobLimits(() => limits));
});
