import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  jobMetricsScenario, startServeWithKeys, supplierMappingScenario, uniqueName, type JobMetricsContext, type ServeTarget, type SupplierMappingContext,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** A supplier's confirmed mapping and the operators' job metrics in `leadflow serve`, as a partner and Prometheus see them. */
describe("leadflow serve: a supplier's mapping, and the job metrics", () => {
  let serve: ServeTarget | undefined;
  const mapping: SupplierMappingContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 120_000 };
  const metrics: JobMetricsContext = { base: '', adminA: '', tenantA: uniqueName('buyer'), metricsUrl: '', lagStages: [], timeoutMs: 120_000 };

  beforeAll(async () => {
    serve = await startServeWithKeys(BIN, {
      prefix: 'leadflow-supplier-mapping-',
      keys: { adminA: { tenant: metrics.tenantA, role: 'admin' }, adminB: { tenant: uniqueName('rival'), role: 'admin' } },
      env: { GATEWAY_METRICS_INTERVAL_MS: '1000' },
    });
    Object.assign(mapping, { base: serve.base, grpcAddress: serve.grpcAddress, adminA: serve.keys.adminA, adminB: serve.keys.adminB });
    Object.assign(metrics, { base: mapping.base, adminA: mapping.adminA, metricsUrl: `${mapping.base}/metrics` });
  }, 300_000);
  afterAll(() => serve?.stop());

  jobMetricsScenario(() => metrics);
  supplierMappingScenario(() => mapping);
});
