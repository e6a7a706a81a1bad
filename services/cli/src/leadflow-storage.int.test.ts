import { credentials, type ServiceError } from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadflowGatewayClient, type Storage } from '@leadflow/proto';
import { callRest, csvRowsByName, startServeWithKeys, uniqueName, waitUntil, withApiKey, type ServeTarget } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

interface StorageAnswer {
  tables: { table: string; holds: string; rows: number; bytes: number }[];
  lastCleanup: { startedAt: string; finishedAt: string | null; retentionHours: number; removed: Record<string, number>; error: string | null } | null;
  nextCleanup: string | null;
}

/**
 * Raw cells kept no longer than RAW_RETENTION_HOURS, and GET /v1/storage, in `leadflow serve`
 * (docs/data-retention.md): with a retention of 0 hours and a cleanup every second, a job's
 * rejected cells and the supplier's own values are gone soon after it ends, and the storage
 * answer says what was removed, for the caller's tenant only.
 */
describe('leadflow serve: raw cells are emptied after their retention; GET /v1/storage', () => {
  let serve: ServeTarget | undefined;

  beforeAll(async () => {
    const tenant = uniqueName('keeper');
    serve = await startServeWithKeys(BIN, {
      prefix: 'leadflow-storage-',
      keys: { admin: { tenant, role: 'admin' }, viewer: { tenant, role: 'viewer' }, rival: { tenant: uniqueName('rival'), role: 'admin' } },
      env: { RAW_RETENTION_HOURS: '0', RAW_CLEANUP_INTERVAL_MS: '1000' },
    });
  }, 300_000);
  afterAll(() => serve?.stop());

  it("empties a job's rejected cells and original values, keeps its rows and reasons, and says so", async () => {
    const { base, keys } = serve!;
    const form = new FormData();
    form.append('file', new Blob(['Email,Phone,Name\nann@example.com,(212) 555-0100,Ann Lee\nnot-an-email,,Bob\ncid@example.org,,Cid Moe\n'], { type: 'text/csv' }), 'raw.csv');
    const upload = await callRest(base, keys.admin, 'POST', '/v1/jobs', { form });
    expect(upload.status).toBe(202);
    const { id } = JSON.parse(upload.text) as { id: string };
    await waitUntil('the job to complete', async () => {
      const job = JSON.parse((await callRest(base, keys.admin, 'GET', `/v1/jobs/${id}`)).text) as { status: string };
      return job.status === 'completed' ? true : undefined;
    }, { timeoutMs: 120_000 });

    const storage = await waitUntil('a cleanup to empty the job\'s raw cells', async () => {
      const answer = await callRest(base, keys.admin, 'GET', '/v1/storage');
      expect(answer.status).toBe(200);
      const s = JSON.parse(answer.text) as StorageAnswer;
      return (s.lastCleanup?.removed['rejected_rows.raw'] ?? 0) > 0 ? s : undefined;
    }, { timeoutMs: 120_000 });
    expect(storage.lastCleanup).toMatchObject({ retentionHours: 0, error: null, removed: { 'rejected_rows.raw': 1, 'leads.original': 1 } });
    expect(Date.parse(storage.nextCleanup!)).toBeGreaterThan(Date.parse(storage.lastCleanup!.startedAt));
    const table = (name: string) => storage.tables.find((t) => t.table === name)!;
    expect(table('leads').rows).toBe(2);
    expect(table('rejected_rows').rows).toBe(1);
    expect(table('leads').bytes).toBeGreaterThan(0);

    // The rejected row is still there, with its number and reason; its cells are not.
    const rejected = csvRowsByName((await callRest(base, keys.admin, 'GET', `/v1/jobs/${id}/exports/rejected`)).text);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ row: '2', Email: '', Name: '' });
    expect(rejected[0]!.reason).toContain('NO_CONTACT');

    // An erased person leaves a row of each keyed hash and one of the request, and one lead less.
    const erased = await callRest(base, keys.admin, 'POST', '/v1/erasure', { json: { email: 'cid@example.org' } });
    expect(erased.status, erased.text).toBe(200);
    const after = JSON.parse((await callRest(base, keys.admin, 'GET', '/v1/storage')).text) as StorageAnswer;
    const rowsOf = (name: string) => after.tables.find((t) => t.table === name)?.rows;
    expect([rowsOf('leads'), rowsOf('erasure_log'), rowsOf('erased_subjects')]).toEqual([1, 1, 1]);

    // The same over gRPC.
    const client = new LeadflowGatewayClient(serve!.grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(keys.admin!)] });
    try {
      const rpc = await new Promise<Storage>((resolve, reject) => client.getStorage({}, (err: ServiceError | null, res?: Storage) => (err ? reject(err) : resolve(res!))));
      expect(rpc.tables.find((t) => t.table === 'leads')?.rows).toBe(1);
      expect(rpc.lastCleanup?.retentionHours).toBe(0);
    } finally {
      client.close();
    }
  }, 300_000);

  it("answers another tenant's admin with its own nothing, and a viewer 403", async () => {
    const { base, keys } = serve!;
    const rival = JSON.parse((await callRest(base, keys.rival, 'GET', '/v1/storage')).text) as StorageAnswer;
    expect(rival.tables.every((t) => t.rows === 0 && t.bytes === 0)).toBe(true);
    expect(rival.lastCleanup?.removed ?? {}).toEqual({});
    const viewer = await callRest(base, keys.viewer, 'GET', '/v1/storage');
    expect(viewer.status).toBe(403);
  });
});
