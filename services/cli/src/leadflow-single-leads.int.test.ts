import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKeyWithCli, freePort, singleLeadScenario, startServe, tempDir, uniqueName, type SingleLeadScenarioContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Leads that arrive one at a time (docs/single-leads.md) in `leadflow serve`, over REST and gRPC, as a partner's web form sends them. */
describe('leadflow serve: single leads', () => {
  let child: ChildProcess | undefined;
  const context: SingleLeadScenarioContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-single-leads-'), 'db');
    context.adminA = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: uniqueName('shop'), role: 'admin' });
    context.adminB = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: uniqueName('rival'), role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    child = (await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' })).child;
  }, 300_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  singleLeadScenario(() => context);
});
