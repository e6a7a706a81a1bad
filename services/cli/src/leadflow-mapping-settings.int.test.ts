import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, TEMPLATE_EXAMPLE } from '@leadflow/mapping';
import { LeadflowGatewayClient, type SynonymBackup, type TenantSynonyms } from '@leadflow/proto';
import { callRest, createKeyWithCli, freePort, herkunftFile, runNode, startServe, tempDir, uploadMapped, withApiKey, type ServeProcess } from '@leadflow/testkit';

/** The template's example as a stored lead: the consent columns are screened by the dnc stage, not stored (docs/dnc-lists.md). */
const STORED_EXAMPLE = Object.fromEntries(Object.entries(TEMPLATE_EXAMPLE).filter(([field]) => !field.startsWith('consent_')));

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));


const rpc = <Res>(run: (done: (err: ServiceError | null, res?: Res) => void) => void) =>
  new Promise<Res>((resolve, reject) => run((err, res) => (err ? reject(err) : resolve(res!))));

/** The CSV template and the header synonyms in `leadflow serve`, and in `leadflow map` on the same folder. */
describe('leadflow serve and leadflow map: the CSV template and header synonyms', () => {
  let serve: ServeProcess;
  let child: ChildProcess;
  let base: string;
  let grpc: LeadflowGatewayClient;
  const dir = tempDir('leadflow-synonyms-');
  const dataDir = join(dir, 'db');
  const key = { acme: '', globex: '' };
  const map = (path: string, tenant: string) => runNode(BIN, ['map', path], { env: { LOG_LEVEL: '', LEADFLOW_DATA_DIR: dataDir, LEADFLOW_TENANT: tenant }, timeoutMs: 240_000 });

  beforeAll(async () => {
    key.acme = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'acme', role: 'admin' });
    key.globex = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'globex', role: 'admin' });
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    // The default reload interval (30 s): serve's own changes must not wait for it.
    serve = await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn' });
    child = serve.child;
    grpc = new LeadflowGatewayClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), { interceptors: [withApiKey(key.acme)] });
  }, 600_000);
  afterAll(() => {
    grpc?.close();
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it('sends a template that, uploaded as it is, maps each header to its own field with confidence 1 and stores its row', async () => {
    const res = await fetch(`${base}/v1/template.csv`, { headers: { authorization: `Bearer ${key.acme}` } });
    expect([res.status, res.headers.get('content-disposition')]).toEqual([200, 'attachment; filename="leadflow-template.csv"']);
    const bytes = new Uint8Array(await res.arrayBuffer());
    writeFileSync(join(dir, 'leadflow-template.csv'), bytes);
    const job = await uploadMapped(base, key.acme, bytes);
    expect(job.columns).toEqual(Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, { field: f, confidence: 1 }])));
    expect(job.leads).toEqual([expect.objectContaining({ ...STORED_EXAMPLE, phone: '+12015550123', industry: '51', original: expect.stringContaining('"industry":"Software"') })]);
  });

  it("maps a header by the tenant's synonym from its next job on, and another tenant's jobs as before", async () => {
    expect((await uploadMapped(base, key.acme, herkunftFile().csv)).columns.Herkunft!.field).toBe('extra');
    const put = await callRest(base, key.acme, 'PUT', '/v1/mapping/synonyms', { json: { synonyms: { source: ['Herkunft'] } } });
    expect(put.status).toBe(200);
    const sent = herkunftFile();
    const job = await uploadMapped(base, key.acme, sent.csv);
    expect(job.columns.Herkunft).toEqual({ field: 'source', confidence: 0.97 });
    expect(job.leads).toEqual([expect.objectContaining({ email: sent.email, source: 'Messe Köln' })]);
    expect((await uploadMapped(base, key.globex, herkunftFile().csv)).columns.Herkunft!.field).toBe('extra');
  });

  it('backs up, changes and restores the synonyms over gRPC, each change used by the next job', async () => {
    const backup = await rpc<SynonymBackup>((done) => grpc.backupSynonyms({}, done));
    expect(backup.synonyms).toEqual({ source: { headers: ['Herkunft'] } });
    await rpc((done) => grpc.setSynonyms({ synonyms: { industry: { headers: ['Herkunft'] } } }, done));
    expect((await uploadMapped(base, key.acme, herkunftFile().csv)).columns.Herkunft!.field).toBe('industry');
    const restored = await rpc<TenantSynonyms>((done) => grpc.restoreSynonyms({ id: backup.id }, done));
    expect([restored.synonyms, restored.version]).toEqual([{ source: { headers: ['Herkunft'] } }, backup.version + 2]);
    expect((await uploadMapped(base, key.acme, herkunftFile().csv)).columns.Herkunft!.field).toBe('source');
  });

  it("leadflow map shows the tenant's synonyms and the template's own fields, once serve gives the folder up", async () => {
    writeFileSync(join(dir, 'herkunft.csv'), herkunftFile().csv);
    const held = await map(join(dir, 'herkunft.csv'), 'acme');
    expect([held.code, JSON.parse(held.stdout).Herkunft.field]).toEqual([0, 'extra']);
    expect(held.stderr).toMatch(/^leadflow map: warning: .*; mapped without the tenant's header synonyms\n$/);

    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    const acme = await map(join(dir, 'herkunft.csv'), 'acme');
    expect([acme.code, acme.stderr, JSON.parse(acme.stdout).Herkunft]).toEqual([0, '', expect.objectContaining({ field: 'source', confidence: 0.97 })]);
    expect(JSON.parse((await map(join(dir, 'herkunft.csv'), 'globex')).stdout).Herkunft.field).toBe('extra');
    const template = await map(join(dir, 'leadflow-template.csv'), 'globex');
    const proposed = JSON.parse(template.stdout) as Record<string, { field: string; confidence: number }>;
    expect(Object.entries(proposed).map(([h, m]) => [h, m.field, m.confidence])).toEqual(CANONICAL_FIELDS.map((f) => [f, f, 1]));
  });
});
