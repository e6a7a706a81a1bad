import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { severalFilesScenario, startServeWithKeys, type SeveralFilesContext, type ServeTarget } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Several files, one job (docs/several-files.md) in `leadflow serve`, over REST and gRPC, as a
 * partner system uploads them; batches of two rows, so that each file's rows span batches.
 */
describe('leadflow serve: several files make one job', () => {
  let serve: ServeTarget | undefined;
  const context: SeveralFilesContext = { base: '', grpcAddress: '', key: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-several-', keys: { key: { tenant: 'several', role: 'uploader' } }, env: { BATCH_SIZE: '2' } });
    Object.assign(context, { base: serve.base, grpcAddress: serve.grpcAddress, key: serve.keys.key });
  }, 300_000);
  afterAll(() => serve?.stop());

  severalFilesScenario(() => context);
});
