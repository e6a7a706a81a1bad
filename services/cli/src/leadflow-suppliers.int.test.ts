import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRest, createKeyWithCli, freePort, runNode, startServe, supplierScenario, tagScorecardScenario, tempDir, uniqueName, type SupplierScenarioContext } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Suppliers and their cost (docs/suppliers.md) in `leadflow serve`, over REST and gRPC, as a partner system drives them. */
describe('leadflow serve: suppliers and cost', () => {
  let child: ChildProcess | undefined;
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
    context.adminA = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: tenants.a, role: 'admin' });
    context.adminB = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: tenants.b, role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    context.base = `http://127.0.0.1:${httpPort}`;
    context.grpcAddress = `127.0.0.1:${grpcPort}`;
    child = (await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' })).child;
  }, 300_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

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
