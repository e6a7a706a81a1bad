import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKeyWithCli, csvRowsByName, farCellWorkbook, fetchWithKey, freePort, generateLeadFile, listeningAddresses, otherLocalAddress, REPEATED_HEADER_CSV, runNode, startServe, tempDir, tryConnect,
  waitUntil, type ServeProcess,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
const KINDS = ['leads', 'duplicates', 'rejected', 'suppressed'] as const;

/** Runs the leadflow command to its end, with the log level it has by default. */
const leadflow = (args: string[], env: Record<string, string>) => runNode(BIN, args, { env: { LOG_LEVEL: '', ...env } });

describe('leadflow serve (every service in one process)', () => {
  let child: ChildProcess;
  let base: string;
  let metricsBase: string;
  let serve: ServeProcess;
  /** fetch with an admin key of tenant `default`, whose are the jobs `leadflow run` files. */
  let api: ReturnType<typeof fetchWithKey>;
  const dir = tempDir('leadflow-serve-');
  const dataDir = join(dir, 'db');
  /** The job `leadflow run` filed in the data folder before serve opened it, and its output folder. */
  let ran: { jobId: string; out: string };
  const exited = () => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

  beforeAll(async () => {
    // A file with every kind of row: leads with unmapped columns, duplicates (exact and fuzzy), rejected and suppressed rows.
    const file = generateLeadFile({ seed: 11, rows: 300 });
    writeFileSync(join(dir, 'file.csv'), file.csv);
    writeFileSync(join(dir, 'dnc.txt'), file.dncNumbers.join('\n'));
    const out = join(dir, 'out');
    const run = await leadflow(['run', join(dir, 'file.csv'), '--dnc', join(dir, 'dnc.txt'), '--out', out], { LEADFLOW_DATA_DIR: dataDir });
    expect(run.stderr).toBe('');
    ran = { jobId: (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { jobId: string }).jobId, out };

    // As an operator does before serve opens the folder: the first admin key.
    api = fetchWithKey(await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir }, { tenant: 'default', role: 'admin' }));
    const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    base = `http://127.0.0.1:${httpPort}`;
    metricsBase = `http://127.0.0.1:${metricsPort}`;
    serve = await startServe(BIN, {
      HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn',
    });
    child = serve.child;
  }, 300_000);
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('processes an upload through REST to completion, with every row counted', async () => {
    const file = generateLeadFile({ seed: 7, rows: 120 });
    const dnc = await api(`${base}/v1/dnc/numbers`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: file.dncNumbers.join('\n') });
    expect(((await dnc.json()) as { rejected: string[] }).rejected).toEqual([]);
    const form = new FormData();
    form.set('file', new Blob([file.csv]), 'leads.csv');
    const created = await api(`${base}/v1/jobs`, { method: 'POST', body: form });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const job = await waitUntil('the job to complete', async () => {
      const j = (await (await api(`${base}/v1/jobs/${id}`)).json()) as { status: string; counts: Record<string, number> };
      return j.status === 'completed' ? j : undefined;
    });
    const count = (d: string) => file.rows.filter((r) => r.expected === d).length;
    expect(job.counts).toEqual({ rows: 120, accepted: count('accepted'), invalid: count('invalid'), duplicate: count('duplicate'), suppressed: count('suppressed'), delivered: 0 });
    const metrics = await (await api(`${base}/metrics`)).text();
    expect(metrics).toMatch(/leadflow_stage_rows_total\{stage="persistence",outcome="accepted"\} \d+/);
  });

  it('holds a job uploaded for review until its mapping is confirmed over REST, then completes it as decided', async () => {
    const csv = ['Mail,Code', ...Array.from({ length: 30 }, (_, i) => `s${i}@serve-review.com,K${i}`)].join('\n');
    const form = new FormData();
    form.set('review', 'true');
    form.set('file', new Blob([csv]), 'review.csv');
    const { id } = (await (await api(`${base}/v1/jobs`, { method: 'POST', body: form })).json()) as { id: string };
    const mapping = await waitUntil('the job to await review', async () => {
      const res = await api(`${base}/v1/jobs/${id}/mapping`);
      return res.status === 200 ? ((await res.json()) as { status: string; columns: { field: string }[] }) : undefined;
    });
    expect(mapping.status).toBe('awaiting_review');
    expect(((await (await api(`${base}/v1/jobs/${id}`)).json()) as { status: string }).status).toBe('awaiting_review');
    const decided = await api(`${base}/v1/jobs/${id}/mapping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { Code: 'source' } }),
    });
    expect(decided.status).toBe(200);
    const job = await waitUntil('the job to complete', async () => {
      const j = (await (await api(`${base}/v1/jobs/${id}`)).json()) as { status: string; counts: Record<string, number> };
      return j.status === 'completed' ? j : undefined;
    });
    expect(job.counts).toMatchObject({ rows: 30, accepted: 30 });
    const leads = await (await api(`${base}/v1/jobs/${id}/exports/leads.csv`)).text();
    expect(leads).toContain('s0@serve-review.com');
    expect(leads).toMatch(/,K29[,\r]/);
  });

  it('keeps a dedup policy set over REST and applies it to the next upload', async () => {
    const put = await api(`${base}/v1/dedup/policy`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ supplier: 'lenient', policy: { fuzzy: false } }),
    });
    expect(put.status).toBe(200);
    const listed = (await (await api(`${base}/v1/dedup/policies`)).json()) as { policies: { supplier: string; policy: unknown }[] };
    expect(listed.policies).toEqual([{ supplier: 'lenient', policy: { fuzzy: false }, updatedAt: expect.any(String) }]);
    const upload = async (supplier: string, lastName: string) => {
      const form = new FormData();
      form.set('supplier', supplier);
      form.set('file', new Blob([`First Name,Last Name,Street,City,Zip\nOdile,${lastName},12 Quarry Lane,Springfield,62704\n`]), 'p.csv');
      const { id } = (await (await api(`${base}/v1/jobs`, { method: 'POST', body: form })).json()) as { id: string };
      return waitUntil('the job to complete', async () => {
        const j = (await (await api(`${base}/v1/jobs/${id}`)).json()) as { status: string; counts: Record<string, number> };
        return j.status === 'completed' ? j.counts : undefined;
      });
    };
    expect(await upload('strict', 'Fairweather')).toMatchObject({ accepted: 1 });
    expect(await upload('lenient', 'Fairwether')).toMatchObject({ accepted: 1, duplicate: 0 });
    expect(await upload('strict', 'Fairwether')).toMatchObject({ accepted: 0, duplicate: 1 });
  });

  it("exports a job's rows over REST byte for byte as leadflow run wrote them, in the same four layouts", async () => {
    for (const kind of KINDS) {
      const res = await api(`${base}/v1/jobs/${ran.jobId}/exports/${kind}.csv`);
      expect(res.status, kind).toBe(200);
      const rest = await res.text();
      const file = readFileSync(join(ran.out, `${kind}.csv`), 'utf8');
      expect(rest.split('\r\n')[0], `${kind}: header`).toBe(file.split('\r\n')[0]);
      expect(rest.split('\r\n').length, kind).toBeGreaterThan(2);
      expect(rest, kind).toBe(file);
    }
  });

  it('serves the OpenAPI document at /docs/json and its page at /docs, and refuses input its schemas refuse', async () => {
    const doc = (await (await api(`${base}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: { Error: { properties: { code: { enum: string[] } } } } } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/v1/dnc/numbers', '/healthz', '/metrics']));
    expect(doc.components.schemas.Error.properties.code.enum).toEqual(expect.arrayContaining(['JOB_NOT_FOUND', 'INVALID_REQUEST', 'FILE_BINARY']));
    const page = await api(`${base}/docs/`);
    expect([page.status, await page.text()]).toEqual([200, expect.stringMatching(/swagger-ui/i)]);
    const bad = await api(`${base}/v1/jobs/job-42`);
    expect([bad.status, await bad.json()]).toEqual([400, { code: 'INVALID_REQUEST', message: 'id in the path must be a job id (a UUID, as POST /v1/jobs answers it), not "job-42"' }]);
  });

  it('answers /healthz and /readyz, and serves /metrics, on the REST port and on METRICS_PORT', async () => {
    for (const at of [base, metricsBase]) {
      const [health, ready, metrics] = await Promise.all(['/healthz', '/readyz', '/metrics'].map((p) => fetch(`${at}${p}`)));
      expect([health!.status, ready!.status, metrics!.status], at).toEqual([200, 200, 200]);
      expect(await ready!.text()).toBe('ready\n');
      expect(await metrics!.text()).toMatch(/^leadflow_stage_rows_total\{stage="persistence",outcome="accepted"\} \d+$/m);
    }
    expect(serve.output()).toMatch(new RegExp(`also on port ${new URL(metricsBase).port}`));
  });

  it('listens on 127.0.0.1 only unless HTTP_HOST says otherwise, and says so, with how to open it', async () => {
    const ports = [base, metricsBase].map((b) => Number(new URL(b).port));
    const grpcPort = Number(/gRPC on 127\.0\.0\.1:(\d+)/.exec(serve.output())?.[1]);
    ports.push(grpcPort);
    const lines = serve.output().split('\n').filter((l) => l.startsWith('leadflow serve:'));
    expect(lines).toEqual([
      `leadflow serve: REST on ${base} (/metrics, /healthz, /readyz), gRPC on 127.0.0.1:${grpcPort}; /metrics, /healthz, /readyz also on port ${ports[1]}`,
      'leadflow serve: listening on loopback only: set HTTP_HOST (e.g. 0.0.0.0) to open REST and gRPC to other machines',
    ]);
    for (const port of ports) {
      expect(listeningAddresses(port), `port ${port}`).toEqual(['127.0.0.1']);
      expect(await tryConnect('127.0.0.1', port), `port ${port}`).toBe('connected');
    }
    // The kernel's word above holds on any machine; where this one has a network interface, a
    // connection to its address (which stays on this machine) shows it from the outside too.
    const other = otherLocalAddress();
    if (other) for (const port of ports) expect(await tryConnect(other, port), `${other}:${port}`).toBe('ECONNREFUSED');
  });

  it('ends a second serve whose port is taken at once, with one line naming the port and the variable to change, exit code 1', async () => {
    const httpPort = new URL(base).port;
    const secondDb = join(dir, 'second-db');
    const res = await leadflow(['serve'], { HTTP_PORT: httpPort, GRPC_PORT: String(await freePort()), LEADFLOW_DATA_DIR: secondDb });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`leadflow serve: port ${httpPort} (HTTP_PORT) is in use by another process: stop that process, or set HTTP_PORT to a free port\n`);
    // Before opening a database.
    expect(existsSync(secondDb)).toBe(false);
  });

  it('exports both columns of a repeated header: in the leads export and the rejected export (the cells as sent)', async () => {
    const form = new FormData();
    form.set('file', new Blob([REPEATED_HEADER_CSV]), 'notes.csv');
    const { id } = (await (await api(`${base}/v1/jobs`, { method: 'POST', body: form })).json()) as { id: string };
    await waitUntil('the job to complete', async () => {
      const j = (await (await api(`${base}/v1/jobs/${id}`)).json()) as { status: string };
      return j.status === 'completed' ? j : undefined;
    });
    const leads = csvRowsByName(await (await api(`${base}/v1/jobs/${id}/exports/leads.csv`)).text());
    expect(leads.map((l) => [l.row, l.email, l.Note, l['Note (2)'], l['column 5'], l['Note (3)']])).toEqual([
      ['1', 'ann@x.com', 'first', 'second', 'third', 'fourth'],
      ['3', 'bob@y.com', 'b1', 'b2', 'b3', 'b4'],
    ]);
    const rejected = csvRowsByName(await (await api(`${base}/v1/jobs/${id}/exports/rejected.csv`)).text());
    expect(rejected).toEqual([
      { row: '2', file: 'notes.csv', reason: 'NO_CONTACT', detail: expect.any(String), Email: '', Note: 'only a note', Phone: '', 'Note (2)': 'again', 'column 5': '', 'Note (3)': '' },
    ]);
  });

  // Such a workbook once ended the process with a V8 fatal error, every job in it with it.
  it('fails the job of a workbook whose cell reference lies outside any worksheet, with FILE_CORRUPT, and goes on serving', async () => {
    const form = new FormData();
    form.set('file', new Blob([farCellWorkbook()]), 'far.xlsx');
    const answer = await api(`${base}/v1/jobs`, { method: 'POST', body: form });
    const body = (await answer.json()) as { id: string };
    expect(answer.status).toBe(202);
    const job = await waitUntil('the job to fail', async () => {
      const j = (await (await api(`${base}/v1/jobs/${body.id}`)).json()) as { status: string; failure?: { code: string } };
      return j.status === 'failed' ? j : undefined;
    });
    expect(job).toMatchObject({ status: 'failed', failure: { code: 'FILE_CORRUPT' } });
    expect(child.exitCode).toBeNull();
  });

  it('stops on SIGTERM with exit code 0', async () => {
    child.kill('SIGTERM');
    expect(await exited()).toBe(0);
  });
});
