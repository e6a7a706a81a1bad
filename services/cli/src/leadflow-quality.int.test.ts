import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { qualityScenario, startServeWithKeys, uniqueName, type QualityScenarioContext, type ServeTarget } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** A tenant's quality settings applied by `leadflow serve` (docs/enrichment.md): LOW_QUALITY under its threshold, exclusivity naming the other supplier. */
describe('leadflow serve: lead quality', () => {
  let serve: ServeTarget | undefined;
  const context: QualityScenarioContext = { base: '', grpcAddress: '', admin: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-quality-', keys: { admin: { tenant: uniqueName('quality'), role: 'admin' } } });
    Object.assign(context, { base: serve.base, grpcAddress: serve.grpcAddress, admin: serve.keys.admin! });
  }, 300_000);
  afterAll(() => serve?.stop());

  qualityScenario(() => context);
});
