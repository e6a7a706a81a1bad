import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { singleLeadScenario, startServeWithKeys, uniqueName, type ServeTarget, type SingleLeadScenarioContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Leads that arrive one at a time (docs/single-leads.md) in `leadflow serve`, over REST and gRPC, as a partner's web form sends them. */
describe('leadflow serve: single leads', () => {
  let serve: ServeTarget | undefined;
  const context: SingleLeadScenarioContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, {
      prefix: 'leadflow-single-leads-',
      keys: { adminA: { tenant: uniqueName('shop'), role: 'admin' }, adminB: { tenant: uniqueName('rival'), role: 'admin' } },
    });
    Object.assign(context, { base: serve.base, grpcAddress: serve.grpcAddress, adminA: serve.keys.adminA, adminB: serve.keys.adminB });
  }, 300_000);
  afterAll(() => serve?.stop());

  singleLeadScenario(() => context);
});
