import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { checkDownload, freePort, infraEnv, seedTenant, startServices, uniqueName, walkGrpc, walkRest, type ServicesHandle, type TenantObjects } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/**
 * Issue 11's access walk in Kafka mode: the same walk as `leadflow serve`'s
 * (services/cli/src/leadflow-access.int.test.ts), against the gateway service of the eight, its
 * keys in PostgreSQL, tenant A's objects made by the real pipeline over Kafka.
 */
describe('the gateway in Kafka mode: who may do what', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let base: string;
  let grpcAddress: string;
  let a: TenantObjects;
  let otherAdmin: string;

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 19_800 + (process.pid % 40) * 10];
    services = await startServices({ env: infraEnv(), httpPort, grpcPort, metricsPortBase, extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '40' } });
    base = `http://127.0.0.1:${httpPort}`;
    grpcAddress = `127.0.0.1:${grpcPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    // The gateway made its tables as it started; a key is what an operator makes with leadflow keys create on DATABASE_URL.
    const keys = createSqlApiKeyStore(db);
    const adminA = (await keys.create({ tenant: uniqueName('acme'), role: 'admin' })).key;
    otherAdmin = (await keys.create({ tenant: uniqueName('globex'), role: 'admin' })).key;
    a = await seedTenant(base, adminA, uniqueName('acme-supplier'));
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  it('answers every REST route 401 without a key, 403 to a lesser role, and 404 to another tenant on its objects', async () => {
    expect(await walkRest(base, a, otherAdmin)).toEqual([]);
  });

  it("downloads the completed job's leads as its leads export, byte for byte; the job in review is JOB_NOT_FINISHED (docs/download.md)", async () => {
    expect(await checkDownload(base, a)).toEqual({
      status: 200, contentType: 'text/csv; charset=utf-8', disposition: `attachment; filename="${a.jobId}-leads.csv"`, sameAsExport: true, rows: 3,
      unfinished: [409, 'JOB_NOT_FINISHED'],
    });
  });

  it('answers every RPC UNAUTHENTICATED without a key, PERMISSION_DENIED to a lesser role, NOT_FOUND to another tenant', async () => {
    expect(await walkGrpc(grpcAddress, a, otherAdmin)).toEqual([]);
  });
});
