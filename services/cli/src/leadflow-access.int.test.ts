import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRest, checkDownload, createKeyWithCli, freePort, seedTenant, startServe, tempDir, walkGrpc, walkRest, type ServeProcess, type TenantObjects } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Issue 11's access walk in `leadflow serve`: tenant A's objects made through the API and the
 * pipeline, then every route of the server's API document and every RPC called without a key,
 * with A's lesser keys and with tenant B's admin key.
 */
describe('leadflow serve: who may do what', () => {
  let serve: ServeProcess;
  let child: ChildProcess;
  let base: string;
  let grpcAddress: string;
  let a: TenantObjects;
  const keys = { adminA: '', adminB: '' };

  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-access-'), 'db');
    // As an operator does: the first admin keys, made before serve opens the folder.
    keys.adminA = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'acme', role: 'admin' });
    keys.adminB = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'globex', role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    grpcAddress = `127.0.0.1:${grpcPort}`;
    serve = await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' });
    child = serve.child;
    a = await seedTenant(base, keys.adminA, 'acme-secret-supplier');
  }, 600_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it('answers every REST route 401 without a key, 403 to a lesser role, and 404 to another tenant on its objects', async () => {
    expect(await walkRest(base, a, keys.adminB)).toEqual([]);
  });

  it("downloads the completed job's leads as its leads export, byte for byte; the job in review is JOB_NOT_FINISHED (docs/download.md)", async () => {
    expect(await checkDownload(base, a)).toEqual({
      status: 200, contentType: 'text/csv; charset=utf-8', disposition: `attachment; filename="${a.jobId}-leads.csv"`, sameAsExport: true, rows: 3,
      unfinished: [409, 'JOB_NOT_FINISHED'],
    });
  });

  it('answers every RPC UNAUTHENTICATED without a key, PERMISSION_DENIED to a lesser role, NOT_FOUND to another tenant', async () => {
    expect(await walkGrpc(grpcAddress, a, keys.adminB)).toEqual([]);
  });

  it("leaves tenant A's objects as they were after tenant B's walk", async () => {
    const get = async (path: string, key = keys.adminA) => JSON.parse((await callRest(base, key, 'GET', path)).text);
    expect((await get('/v1/dedup/policies')).policies).toEqual([expect.objectContaining({ supplier: 'acme-secret-supplier', policy: { lookbackDays: 30 } })]);
    expect((await get('/v1/possible-duplicates')).possibleDuplicates.map((p: { leadId: string }) => p.leadId)).toContain(a.possibleDuplicateId);
    expect((await get(`/v1/leads/${a.leadId}/merges`)).merges).toEqual([expect.objectContaining({ id: a.mergeId, revertedAt: null })]);
    expect((await get(`/v1/jobs/${a.reviewJobId}`, a.viewerKey)).status).toBe('awaiting_review');
    expect(await get(`/v1/suppliers/${a.supplierId}`, a.viewerKey)).toMatchObject({ name: 'acme-secret-supplier', active: true, costPerLead: { amount: '0.25', currency: 'USD' } });
    expect((await get('/v1/mapping/synonyms')).synonyms).toEqual({ source: ['acme-secret-supplier Herkunft'] });
    expect((await get('/v1/mapping/synonyms/backups')).backups.map((b: { id: string }) => b.id)).toEqual([a.synonymBackupId]);
  });

  it('counts every refusal by reason, and stops a revoked key at once', async () => {
    const before = await callRest(base, undefined, 'GET', '/metrics');
    const count = (text: string, reason: string) => Number(new RegExp(`^leadflow_auth_failures_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(count(before.text, 'missing')).toBeGreaterThan(0);
    expect(count(before.text, 'forbidden')).toBeGreaterThan(0);

    const made = JSON.parse((await callRest(base, keys.adminA, 'POST', '/v1/keys', { json: { role: 'viewer', name: 'short-lived' } })).text) as { key: string; prefix: string };
    expect((await callRest(base, made.key, 'GET', `/v1/jobs/${a.jobId}`)).status).toBe(200);
    const revoked = await callRest(base, keys.adminA, 'DELETE', `/v1/keys/${made.prefix}`);
    expect([revoked.status, JSON.parse(revoked.text).revokedAt]).toEqual([200, expect.any(String)]);
    const refused = await callRest(base, made.key, 'GET', `/v1/jobs/${a.jobId}`);
    expect([refused.status, refused.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(JSON.parse(refused.text).message).toMatch(/revoked/);
    const after = await callRest(base, undefined, 'GET', '/metrics');
    expect(count(after.text, 'revoked')).toBe(count(before.text, 'revoked') + 1);
    // The key is shown once: listing shows its prefix, never the key.
    const listed = await callRest(base, keys.adminA, 'GET', '/v1/keys');
    expect(listed.text).toContain(made.prefix);
    expect(listed.text).not.toContain(made.key);
  });
});
