import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createKeyWithCli, freePort, qualityScenario, startServe, tempDir, uniqueName, type QualityScenarioContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** A tenant's quality settings applied by `leadflow serve` (docs/enrichment.md): LOW_QUALITY under its threshold, exclusivity naming the other supplier. */
describe('leadflow serve: lead quality', () => {
  let child: ChildProcess | undefined;
  const context: QualityScenarioContext = { base: '', grpcAddress: '', admin: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-quality-'), 'db');
    context.admin = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: uniqueName('quality'), role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    child = (await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' })).child;
  }, 300_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  qualityScenario(() => context);
});
