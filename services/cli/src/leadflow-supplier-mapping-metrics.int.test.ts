import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  createKeyWithCli, freePort, jobMetricsScenario, startServe, supplierMappingScenario, tempDir, uniqueName, type JobMetricsContext, type SupplierMappingContext,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** A supplier's confirmed mapping and the operators' job metrics in `leadflow serve`, as a partner and Prometheus see them. */
describe("leadflow serve: a supplier's mapping, and the job metrics", () => {
  let child: ChildProcess | undefined;
  const mapping: SupplierMappingContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 120_000 };
  const metrics: JobMetricsContext = { base: '', adminA: '', tenantA: uniqueName('buyer'), metricsUrl: '', lagStages: [], timeoutMs: 120_000 };

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-supplier-mapping-'), 'db');
    mapping.adminA = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: metrics.tenantA, role: 'admin' });
    mapping.adminB = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: uniqueName('rival'), role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    mapping.base = `http://127.0.0.1:${httpPort}`;
    mapping.grpcAddress = `127.0.0.1:${grpcPort}`;
    Object.assign(metrics, { base: mapping.base, adminA: mapping.adminA, metricsUrl: `${mapping.base}/metrics` });
    child = (
      await startServe(BIN, {
        HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', GATEWAY_METRICS_INTERVAL_MS: '1000',
      })
    ).child;
  }, 300_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  jobMetricsScenario(() => metrics);
  supplierMappingScenario(() => mapping);
});
