import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials } from '@grpc/grpc-js';
import { JobStatus, LeadflowGatewayClient, type DncAudit, type Job } from '@leadflow/proto';
import { createPglite } from '@leadflow/stores';
import { createKeyWithCli, csvRowsByName, fetchWithKey, freePort, readCsvFile, runNode, startServe, tempDir, waitUntil, withApiKey, type ServeProcess } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

/** Numbers no generated lead file uses (area code 907, exchange 555-03xx). */
const LISTED = Array.from({ length: 4 }, (_, i) => `+1907555${String(300 + i).padStart(4, '0')}`);
const CLEAR = '+19075550390';

interface JobAnswer {
  status: string;
  waitingForDncList?: string;
  counts: { rows: number; accepted: number; suppressed: number };
}

/**
 * Issue 13's freshness, wireless states and audit in `leadflow serve` (docs/dnc-lists.md): a stale
 * national list holds a job's rows with phones, the job waiting_for_dnc_list, until a fresh
 * snapshot is loaded; by the tenant's policy it suppresses them instead; a wireless number in
 * Texas is suppressed; the audit answers for a number.
 */
describe('leadflow serve: a stale Do-Not-Call list, wireless states and the audit', () => {
  let serve: ServeProcess;
  let base: string;
  let api: ReturnType<typeof fetchWithKey>;
  let grpc: LeadflowGatewayClient;
  beforeAll(async () => {
    const dataDir = join(tempDir('leadflow-dnc-fresh-'), 'db');
    const key = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir, DATABASE_URL: '' }, { tenant: 'default', role: 'admin' });
    api = fetchWithKey(key);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    grpc = new LeadflowGatewayClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    serve = await startServe(BIN, {
      HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, DATABASE_URL: '', HTTP_HOST: '', LOG_LEVEL: 'warn',
      DNC_OPERATOR_TENANTS: 'default', DNC_HELD_RELEASE_MS: '500',
    });
  }, 300_000);
  afterAll(() => {
    grpc?.close();
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
  });
  const rpc = <T>(call: (done: (err: Error | null, res?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => call((err, res) => (err ? reject(err) : resolve(res!))));

  const loadList = async (list: string, snapshot: string, numbers: readonly string[]) => {
    const res = await api(`${base}/v1/dnc/lists/${list}?snapshot=${snapshot}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `${numbers.join('\n')}\n` });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const upload = async (csv: string) => {
    const form = new FormData();
    form.set('file', new Blob([csv]), 'people.csv');
    const created = await api(`${base}/v1/jobs`, { method: 'POST', body: form });
    expect(created.status).toBe(202);
    return ((await created.json()) as { id: string }).id;
  };
  const job = async (id: string) => (await (await api(`${base}/v1/jobs/${id}`)).json()) as JobAnswer;
  const until = (id: string, status: string) =>
    waitUntil(`job ${id} ${status}`, async () => {
      const j = await job(id);
      return j.status === status ? j : undefined;
    }, { timeoutMs: 120_000, describe: () => job(id) });
  const suppressed = async (id: string) =>
    csvRowsByName(await (await api(`${base}/v1/jobs/${id}/exports/suppressed.csv`)).text()).map((r) => [r.phone, r.reason]);

  it('holds rows with phones while the national list is stale, then passes them on once a fresh snapshot is loaded; the audit names the snapshot', async () => {
    const old = daysAgo(40);
    await loadList('national', old, LISTED);
    const id = await upload(`Email,Phone\n${LISTED.slice(0, 2).map((p, i) => `held${i}@fresh.test,${p}`).join('\n')}\nclear@fresh.test,${CLEAR}\nnophone@fresh.test,\n`);
    const waiting = await until(id, 'waiting_for_dnc_list');
    expect(waiting.waitingForDncList).toBe(`National (USA) ${old}`);
    // The row without a phone went on; the three with one are held, neither accepted nor lost.
    expect(waiting.counts).toMatchObject({ rows: 4, accepted: 1, suppressed: 0 });
    const viaGrpc = await rpc<{ job?: Job }>((done) => grpc.getJob({ id }, done));
    expect([viaGrpc.job?.status, viaGrpc.job?.waitingForDncList]).toEqual([JobStatus.JOB_STATUS_WAITING_FOR_DNC_LIST, `National (USA) ${old}`]);

    const fresh = daysAgo(1);
    await loadList('national', fresh, LISTED);
    const done = await until(id, 'completed');
    expect(done.counts).toMatchObject({ rows: 4, accepted: 2, suppressed: 2 });
    expect(await suppressed(id)).toEqual(LISTED.slice(0, 2).map((p) => [p, 'DNC_NATIONAL']));

    const audit = (await (await api(`${base}/v1/dnc/audit?phone=${encodeURIComponent('(907) 555-0300')}`)).json()) as {
      phone: string; checks: { jobId: string; rowNumber: number; list: string; listVersion: number; snapshotDate: string; listed: boolean; result: string }[];
    };
    expect(audit.phone).toBe(LISTED[0]);
    expect(audit.checks.filter((c) => c.list === 'national')).toEqual([
      expect.objectContaining({ jobId: id, rowNumber: 1, list: 'national', listVersion: 2, snapshotDate: fresh, listed: true, result: 'listed' }),
    ]);
    const twin = await rpc<DncAudit>((done) => grpc.getDncAudit({ phone: '(907) 555-0300', limit: 0 }, done));
    expect(twin.checks.filter((c) => c.list === 'national')).toEqual([
      expect.objectContaining({ jobId: id, rowNumber: 1, listVersion: 2, snapshotDate: fresh, listed: true, result: 'listed' }),
    ]);
    const bad = await api(`${base}/v1/dnc/audit?phone=nope`);
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'INVALID_DNC_PHONE']);
  }, 300_000);

  it('suppresses a number on the wireless list whose lead is in Texas, not one in California', async () => {
    const snap = daysAgo(2);
    await loadList('wireless', snap, [LISTED[2]!, LISTED[3]!]);
    const id = await upload(`Email,Phone,State\ntx@wireless.test,${LISTED[2]},TX\nca@wireless.test,${LISTED[3]},CA\n`);
    const done = await until(id, 'completed');
    expect(done.counts).toMatchObject({ rows: 2 });
    const rows = await suppressed(id);
    expect(rows.find((r) => r[0] === LISTED[2])).toEqual([LISTED[2], 'DNC_NATIONAL;DNC_WIRELESS_STATE']);
    // The reason's detail names the list and its snapshot: the audit records the same decision.
    const audit = (await (await api(`${base}/v1/dnc/audit?phone=${encodeURIComponent(LISTED[2]!)}`)).json()) as { checks: { jobId: string; list: string; snapshotDate: string; result: string }[] };
    expect(audit.checks.filter((c) => c.jobId === id && c.list === 'wireless')).toEqual([expect.objectContaining({ snapshotDate: snap, result: 'wireless_state' })]);
    expect(rows.find((r) => r[0] === LISTED[3])?.[1]).toBe('DNC_NATIONAL');
  }, 300_000);

  it("suppresses rows with phones with DNC_LIST_STALE once the tenant's policy says so", async () => {
    const policy = await api(`${base}/v1/dnc/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staleList: 'suppress' }) });
    expect([policy.status, await policy.json()]).toEqual([200, { staleList: 'suppress' }]);
    expect(await (await api(`${base}/v1/dnc/policy`)).json()).toEqual({ staleList: 'suppress' });
    expect(await rpc((done) => grpc.getDncPolicy({}, done))).toEqual({ staleList: 'suppress' });
    const old = daysAgo(50);
    await loadList('national', old, LISTED);
    const id = await upload(`Email,Phone\nstale@policy.test,+19075550391\nnophone@policy.test,\n`);
    const done = await until(id, 'completed');
    expect(done.counts).toMatchObject({ rows: 2, accepted: 1, suppressed: 1 });
    expect(await suppressed(id)).toEqual([['+19075550391', 'DNC_LIST_STALE']]);
    const refused = await api(`${base}/v1/dnc/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staleList: 'maybe' }) });
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([400, 'INVALID_DNC_POLICY']);
    await loadList('national', daysAgo(0), LISTED);
  }, 300_000);
});

describe('leadflow run: a stale Do-Not-Call list', () => {
  it('holds the rows with phones in the data folder, says so, and passes them on at a later run once a fresh snapshot is imported', async () => {
    const dir = tempDir('leadflow-dnc-run-');
    const env = { LEADFLOW_DATA_DIR: join(dir, 'db'), LOG_LEVEL: '', DATABASE_URL: '' };
    const leadflow = (args: string[]) => runNode(BIN, args, { env });
    const old = daysAgo(45);
    writeFileSync(join(dir, 'national.txt'), `${LISTED[0]!.slice(2)}\n`);
    expect((await leadflow(['dnc', 'import', join(dir, 'national.txt'), '--list', 'national', '--snapshot', old, '--replace'])).code).toBe(0);
    writeFileSync(join(dir, 'people.csv'), `Email,Phone\nlisted@run.test,${LISTED[0]}\nclear@run.test,${CLEAR}\nnophone@run.test,\n`);
    const first = await leadflow(['run', join(dir, 'people.csv'), '--out', join(dir, 'out-1')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`3 rows: 1 accepted, 0 invalid, 0 duplicate, 0 suppressed; 2 held until a fresh Do-Not-Call list replaces National (USA) ${old}`);
    const summary = JSON.parse(readFileSync(join(dir, 'out-1', 'summary.json'), 'utf8')) as { jobId: string; status: string; held: unknown };
    expect([summary.status, summary.held]).toEqual(['waiting_for_dnc_list', { rows: 2, lists: `National (USA) ${old}` }]);

    expect((await leadflow(['dnc', 'import', join(dir, 'national.txt'), '--list', 'national', '--snapshot', daysAgo(1), '--replace'])).code).toBe(0);
    // The next run passes the held rows on before it ends: the first job's rows are filed, screened against the fresh list.
    writeFileSync(join(dir, 'other.csv'), 'Email\nother@run.test\n');
    const second = await leadflow(['run', join(dir, 'other.csv'), '--out', join(dir, 'out-2')]);
    expect(second.code, second.stderr).toBe(0);
    // The first job, in the data folder: completed, its held rows screened against the fresh list.
    const db = await createPglite({ dataDir: env.LEADFLOW_DATA_DIR });
    try {
      const { rows } = await db.query<{ done: boolean; accepted: number; suppressed: number; held: number; reasons: unknown }>(
        `SELECT p.completed_at IS NOT NULL AS done, p.accepted, p.suppressed, (SELECT count(*)::int FROM dnc_held_rows h WHERE h.job_id = p.job_id) AS held,
                (SELECT jsonb_agg(s.reasons -> 0 -> 'code') FROM suppressed_leads s WHERE s.job_id = p.job_id) AS reasons
           FROM job_progress p WHERE p.job_id = $1`,
        [summary.jobId],
      );
      expect(rows).toEqual([{ done: true, accepted: 2, suppressed: 1, held: 0, reasons: ['DNC_NATIONAL'] }]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
