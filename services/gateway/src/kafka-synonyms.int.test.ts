import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, TEMPLATE_EXAMPLE } from '@leadflow/mapping';
import { createPostgres, type SqlClient } from '@leadflow/stores';
import { callRest, freePort, herkunftFile, infraEnv, SERVICE_NAMES, startServices, uniqueName, uploadMapped, type ServicesHandle } from '@leadflow/testkit';
import { createSqlApiKeyStore } from './index.js';

/** The template's example as a stored lead: the consent columns are screened by the dnc stage, not stored (docs/dnc-lists.md). */
const STORED_EXAMPLE = Object.fromEntries(Object.entries(TEMPLATE_EXAMPLE).filter(([field]) => !field.startsWith('consent_')));

/** The reload interval the mapping services run with here: the bound within which they must use a change. */
const RELOAD_MS = 1000;
/** Jobs uploaded at most while waiting for each mapping replica to have taken one. */
const MAX_JOBS = 30;

/**
 * The template and the header synonyms in Kafka mode, as a partner drives them: the eight
 * services and a second mapping replica, a short MAPPING_SYNONYMS_RELOAD_MS, no restart.
 */
describe('the CSV template and header synonyms in Kafka mode', () => {
  let services: ServicesHandle;
  let db: SqlClient;
  let base: string;
  const key = { a: '', b: '' };
  /** The /metrics of each mapping replica. */
  let mappingMetrics: string[];

  beforeAll(async () => {
    const [httpPort, grpcPort, metricsPortBase] = [await freePort(), await freePort(), 20_100 + (process.pid % 40) * 10];
    services = await startServices({
      env: infraEnv(),
      httpPort,
      grpcPort,
      metricsPortBase,
      extraEnv: { LOG_LEVEL: 'warn', BATCH_SIZE: '40', MAPPING_SYNONYMS_RELOAD_MS: String(RELOAD_MS) },
    });
    await services.addReplica('mapping');
    // addReplica puts the first replica's /metrics after the services' own ports.
    mappingMetrics = [services.metricsPorts.mapping, metricsPortBase + SERVICE_NAMES.length].map((p) => `http://127.0.0.1:${p}/metrics`);
    base = `http://127.0.0.1:${httpPort}`;
    db = createPostgres({ url: infraEnv().DATABASE_URL });
    const keys = createSqlApiKeyStore(db);
    key.a = (await keys.create({ tenant: uniqueName('acme'), role: 'admin' })).key;
    key.b = (await keys.create({ tenant: uniqueName('globex'), role: 'admin' })).key;
  }, 600_000);
  afterAll(async () => {
    await services?.stop();
    await db?.close();
  });

  /** Batches each mapping replica has handled so far. */
  const mappedBatches = async (): Promise<number[]> =>
    Promise.all(
      mappingMetrics.map(async (url) => {
        const text = await (await fetch(url)).text();
        return [...text.matchAll(/^leadflow_stage_batches_total\{stage="mapping",[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      }),
    );

  /** Uploads a file as tenant A until every mapping replica has mapped one of the jobs; answers how each job mapped "Herkunft". */
  async function uploadToEveryReplica(): Promise<string[]> {
    const start = await mappedBatches();
    const fields: string[] = [];
    for (let i = 0; i < MAX_JOBS; i++) {
      fields.push((await uploadMapped(base, key.a, herkunftFile().csv)).columns.Herkunft!.field);
      const now = await mappedBatches();
      if (now.every((n, r) => n > start[r]!)) return fields;
    }
    throw new Error(`${MAX_JOBS} jobs did not reach every mapping replica: batches ${JSON.stringify(start)} -> ${JSON.stringify(await mappedBatches())}`);
  }

  it('sends a template that, uploaded as it is, maps each header to its own field with confidence 1 and stores its row', async () => {
    const template = await fetch(`${base}/v1/template.csv`, { headers: { authorization: `Bearer ${key.a}` } });
    expect([template.status, template.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    const bytes = new Uint8Array(await template.arrayBuffer());
    const job = await uploadMapped(base, key.a, bytes, { fileName: 'leadflow-template.csv' });
    expect(job.columns).toEqual(Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, { field: f, confidence: 1 }])));
    expect(job.leads).toHaveLength(1);
    expect(job.leads[0]).toMatchObject({ ...STORED_EXAMPLE, phone: '+12015550123', industry: '51', original: expect.stringContaining('"industry":"Software"') });
  });

  it("maps a header by a tenant's new synonym on every mapping replica within the reload interval, without a restart; another tenant's jobs stay as they were", async () => {
    const pids = { ...services.pids };
    // Every replica has read tenant A's synonyms (none yet) before the change.
    expect(new Set(await uploadToEveryReplica())).toEqual(new Set(['extra']));

    const put = await callRest(base, key.a, 'PUT', '/v1/mapping/synonyms', { json: { synonyms: { source: ['Herkunft'] } } });
    expect([put.status, JSON.parse(put.text).synonyms]).toEqual([200, { source: ['Herkunft'] }]);
    // The promise under test: a change is used by every replica once the reload interval has passed.
    await sleep(RELOAD_MS);
    const after = await uploadToEveryReplica();
    expect(new Set(after)).toEqual(new Set(['source']));
    const sent = herkunftFile();
    const job = await uploadMapped(base, key.a, sent.csv);
    expect(job.leads).toEqual([expect.objectContaining({ email: sent.email, source: 'Messe Köln' })]);

    const other = await uploadMapped(base, key.b, herkunftFile().csv);
    expect(other.columns.Herkunft!.field).toBe('extra');
    expect(other.leads).toEqual([expect.objectContaining({ source: '', Herkunft: 'Messe Köln' })]);
    expect(services.pids).toEqual(pids);
  });

  it('backs up the synonyms, and a restore brings them back for the next jobs', async () => {
    const backup = await callRest(base, key.b, 'POST', '/v1/mapping/synonyms/backups');
    expect(backup.status).toBe(201);
    await callRest(base, key.b, 'PUT', '/v1/mapping/synonyms', { json: { synonyms: { industry: ['Herkunft'] } } });
    await sleep(RELOAD_MS);
    expect((await uploadMapped(base, key.b, herkunftFile().csv)).columns.Herkunft!.field).toBe('industry');

    const restored = await callRest(base, key.b, 'POST', `/v1/mapping/synonyms/backups/${JSON.parse(backup.text).id}/restore`);
    expect([restored.status, JSON.parse(restored.text).synonyms]).toEqual([200, {}]);
    await sleep(RELOAD_MS);
    expect((await uploadMapped(base, key.b, herkunftFile().csv)).columns.Herkunft!.field).toBe('extra');
  });
});
