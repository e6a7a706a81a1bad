import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRest, runNode, startServeWithKeys, supplierScenario, tagScorecardScenario, tempDir, uniqueName, type ServeTarget, type SupplierScenarioContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Suppliers and their cost (docs/suppliers.md) in `leadflow serve`, over REST and gRPC, as a partner system drives them. */
describe('leadflow serve: suppliers and cost', () => {
  let serve: ServeTarget | undefined;
  const context: SupplierScenarioContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 120_000 };

  beforeAll(async () => {
    const dir = tempDir('leadflow-suppliers-');
    const dataDir = join(dir, 'db');
    const tenants = { a: uniqueName('buyer'), b: uniqueName('rival') };
    // A file run on the same folder first, for tenant B, naming a supplier the folder does not have yet.
    writeFileSync(join(dir, 'run.csv'), 'email\nrun.one@supplier-run.example\nrun.two@supplier-run.example\nnot-an-email\n');
    const run = await runNode(BIN, ['run', join(dir, 'run.csv'), '--supplier', 'Run  Supplier', '--out', join(dir, 'out')], {
      env: { LOG_LEVEL: '', LEADFLOW_DATA_DIR: dataDir, LEADFLOW_TENANT: tenants.b },
    });
    expect([run.code, run.stderr]).toEqual([0, '']);
    serve = await startServeWithKeys(BIN, { prefix: 'leadflow-suppliers-', dataDir, keys: { adminA: { tenant: tenants.a, role: 'admin' }, adminB: { tenant: tenants.b, role: 'admin' } } });
    Object.assign(context, { base: serve.base, grpcAddress: serve.grpcAddress, adminA: serve.keys.adminA!, adminB: serve.keys.adminB! });
  }, 300_000);
  afterAll(() => serve?.stop());

  // Before any job of tenant B in these services: its rules are read when the enrichment stage first sees the tenant.
  tagScorecardScenario(() => context);
  supplierScenario(() => context);

  it("files leadflow run's job under the supplier it names, as an upload does", async () => {
    const listed = JSON.parse((await callRest(context.base, context.adminB, 'GET', '/v1/suppliers')).text) as { suppliers: { id: string; name: string }[] };
    const supplier = listed.suppliers.find((s) => s.name === 'Run Supplier');
    expect(supplier).toMatchObject({ costPerLead: null, active: true });
    const shown = JSON.parse((await callRest(context.base, context.adminB, 'GET', `/v1/suppliers/${supplier!.id}`)).text) as { totals: object };
    expect(shown.totals).toEqual({ jobs: 1, rows: 3, accepted: 2, invalid: 1, duplicate: 0, suppressed: 0, costs: [] });
  });
});
