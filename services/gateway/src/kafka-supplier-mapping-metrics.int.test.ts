import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGE_INPUTS } from '@leadflow/bus';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import {
  callRest, faxFile, freePort, infraEnv, jobMetricsScenario, scrape, SERVICE_NAMES, startServices, supplierMappingScenario, uniqueName, uploadMapped,
  type JobMetricsContext, type ServicesHandle, type SupplierMappingContext,
} from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/** Jobs uploaded at most while waiting for each mapping replica to have mapped one. */
const MAX_JOBS = 30;

/**
 * A supplier's confirmed mapping and the operators' job metrics in Kafka mode: the same scenarios
 * as `leadflow serve`'s (services/cli/src/leadflow-supplier-mapping-metrics.int.test.ts), with two
 * mapping replicas, and each stage's consumer lag read by the gateway.
 */
describe("the gateway in Kafka mode: a supplier's mapping, and the job metrics", () => {
  let services: ServicesHandle | undefined;
  let db: SqlClient | undefined;
  let mappingMetrics: string[] = [];
  const mapping: SupplierMappingContext = { base: '', grpcAddress: '', adminA: '', adminB: '', timeoutMs: 180_000 };
  const metrics: JobMetricsContext = {
    base: '', adminA: '', tenantA: uniqueName('acme'), metricsUrl: '', lagStages: STAGE_INPUTS.map((s) => s.groupId), timeoutMs: 180_000,
  };

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_800 + (process.pid % 40) * 10];
    services = await startServices({
      env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '40', GATEWAY_METRICS_INTERVAL_MS: '1000' },
    });
    await services.addReplica('mapping');
    // addReplica puts the first replica's /metrics after the services' own ports.
    mappingMetrics = [services.metricsPorts.mapping, metricsPortBase + SERVICE_NAMES.length].map((p) => `http://127.0.0.1:${p}/metrics`);
    mapping.base = `http://127.0.0.1:${httpPort}`;
    mapping.grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // As an operator makes them with leadflow keys create on DATABASE_URL; tenants of this run only.
    const keys = createSqlApiKeyStore(db);
    mapping.adminA = (await keys.create({ tenant: metrics.tenantA, role: 'admin' })).key;
    mapping.adminB = (await keys.create({ tenant: uniqueName('globex'), role: 'admin' })).key;
    Object.assign(metrics, { base: mapping.base, adminA: mapping.adminA, metricsUrl: `http://127.0.0.1:${services.metricsPorts.gateway}/metrics` });
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  jobMetricsScenario(() => metrics);
  const supplier = supplierMappingScenario(() => mapping);

  it('maps the supplier\'s files by its mapping on every mapping replica, without a restart', async () => {
    const pids = { ...services!.pids };
    const batches = async () =>
      Promise.all(mappingMetrics.map(async (url) => Object.values(await scrape(url, 'leadflow_stage_batches_total')).reduce((a, b) => a + b, 0)));
    const start = await batches();
    const fields: string[] = [];
    for (let i = 0; i < MAX_JOBS && !(await batches()).every((n, r) => n > start[r]!); i++) {
      const job = await uploadMapped(mapping.base, mapping.adminA, faxFile().csv, { supplier: supplier.supplier, timeoutMs: mapping.timeoutMs });
      fields.push(`${job.columns.Phone?.field}/${job.columns.Ref?.field}`);
    }
    expect((await batches()).every((n, r) => n > start[r]!), `every replica mapped a job within ${MAX_JOBS}`).toBe(true);
    expect(new Set(fields)).toEqual(new Set(['extra/source']));
    // And a change made now is used by every replica from the supplier's next job.
    const put = await callRest(mapping.base, mapping.adminA, 'PUT', `/v1/suppliers/${supplier.supplierId}/mapping`, { json: { mapping: [{ header: 'Ref', field: 'industry' }] } });
    expect(put.status).toBe(200);
    const next = await uploadMapped(mapping.base, mapping.adminA, faxFile().csv, { supplier: supplier.supplier, timeoutMs: mapping.timeoutMs });
    expect([next.columns.Phone?.field, next.columns.Ref?.field]).toEqual(['phone', 'industry']);
    expect(services!.pids).toEqual(pids);
  });
});
