import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { JobStatus, LeadflowGatewayClient, type Job, type WatchJobResponse } from '@leadflow/proto';
import { createPglite, type SqlClient } from '@leadflow/stores';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyWithCli, fetchWithKey, freePort, generateLeadFile, readCsvFile, runNode, streamUpload, tempDir, waitUntil, withApiKey, type UploadAnswer } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
// A start makes or recovers the embedded database and compiles PGlite: tens of seconds on a loaded machine.
const START_MS = 180_000;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function leadflow(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: '' } });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

async function killHard(child: ChildProcess, exit: Promise<unknown>) {
  child.kill('SIGKILL');
  await exit;
}

/** What the database of a data folder holds, read once no process holds it. */
async function withDatabase<T>(dataDir: string, fn: (db: SqlClient) => Promise<T>): Promise<T> {
  const db = await createPglite({ dataDir });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe('leadflow run, killed and run again', () => {
  const seed = Date.now() % 100_000;

  it(`completes after ten kills at random points of a 20,000-row file, every row filed exactly once (seed ${seed})`, { timeout: 40 * 60_000 }, async () => {
    const dir = tempDir('leadflow-killed-');
    const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
    const file = generateLeadFile({ seed, rows: 20_000 });
    const csv = join(dir, 'leads.csv');
    writeFileSync(csv, file.csv);
    let random = seed;
    const next = () => (random = (random * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;

    const kills: string[] = [];
    // Kill points fall within how long a whole run takes here: a run that ends by itself before
    // its kill shortens the span of the next ones, so that on a fast machine the kills still land
    // inside runs (interrupting their jobs) rather than after them.
    let span = 30_000;
    for (let i = 0; i < 10; i++) {
      const run = leadflow(['run', csv, '--out', join(dir, `out-${i}`)], env);
      // Once it holds the folder, a random moment of its start (recovering the database and the
      // jobs before it, rebuilding the index) or of its rows.
      await waitUntil(`run ${i} to hold the data folder`, () => {
        const lock = `${env.LEADFLOW_DATA_DIR}.lock`;
        return existsSync(lock) && readFileSync(lock, 'utf8').startsWith(`${run.child.pid}\n`) ? true : undefined;
      }, { timeoutMs: START_MS, intervalMs: 50, describe: run.output });
      const after = Math.round(next() * span);
      const held = performance.now();
      await Promise.race([sleep(after), run.exit]);
      if (run.child.exitCode === 0) span = Math.min(span, Math.round(performance.now() - held));
      kills.push(run.child.exitCode === null ? `killed after ${after} ms` : `ended by itself (${run.child.exitCode}) within ${after} ms`);
      await killHard(run.child, run.exit);
    }

    const out = join(dir, 'out');
    const last = await runNode(BIN, ['run', csv, '--out', out], { env: { ...env, LOG_LEVEL: '' }, timeoutMs: 20 * 60_000 });
    expect(last.code, `${kills.join(', ')}\n${last.stderr}`).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { jobId: string; rows: number; accepted: number; duplicate: number; invalid: number; suppressed: number };
    expect(summary.rows).toBe(20_000);
    expect(summary.accepted + summary.duplicate + summary.invalid + summary.suppressed).toBe(20_000);
    const inFiles = ['leads', 'duplicates', 'rejected', 'suppressed'].flatMap((f) => readCsvFile(join(out, `${f}.csv`)).map((r) => Number(r.row)));
    expect(inFiles.sort((a, b) => a - b)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));

    await withDatabase(env.LEADFLOW_DATA_DIR, async (db) => {
      const filed = await db.query<{ n: number; rows: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT row_number)::int AS rows FROM (
           SELECT row_number FROM leads WHERE job_id = $1 UNION ALL SELECT row_number FROM duplicate_leads WHERE job_id = $1
           UNION ALL SELECT row_number FROM rejected_rows WHERE job_id = $1 UNION ALL SELECT row_number FROM suppressed_leads WHERE job_id = $1) AS f`,
        [summary.jobId],
      );
      expect(filed.rows).toEqual([{ n: 20_000, rows: 20_000 }]);
      // Every duplicate names a lead that was stored, never a row of a run killed before storing it.
      const orphans = await db.query<{ row_number: number }>(
        `SELECT d.row_number FROM duplicate_leads d
          WHERE d.job_id = $1 AND NOT EXISTS (
            SELECT 1 FROM leads l WHERE l.id = d.matched_lead_id OR (d.matched_lead_id IS NULL AND l.job_id = d.matched_job_id AND l.row_number = d.matched_row))`,
        [summary.jobId],
      );
      expect(orphans.rows).toEqual([]);
      // The jobs of the runs killed before the end are final: failed, saying to upload again.
      const earlier = await db.query<{ status: string }>(
        `SELECT CASE WHEN j.failure_code IS NOT NULL THEN j.failure_code WHEN p.completed_at IS NOT NULL THEN 'completed' ELSE 'unfinished' END AS status
           FROM jobs j LEFT JOIN job_progress p ON p.job_id = j.id WHERE j.id <> $1`,
        [summary.jobId],
      );
      expect(earlier.rows.filter((r) => !['INTERRUPTED', 'completed'].includes(r.status))).toEqual([]);
      expect(earlier.rows.filter((r) => r.status === 'INTERRUPTED').length, kills.join(', ')).toBeGreaterThan(0);
    });
  });
});

describe('leadflow serve, killed in the middle of a job and started again', () => {
  it('fails the job with INTERRUPTED, and its SSE stream and gRPC WatchJob end', { timeout: 20 * 60_000 }, async () => {
    const dir = tempDir('leadflow-serve-killed-');
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const env = { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: join(dir, 'db') };
    const base = `http://127.0.0.1:${httpPort}`;
    // An uploader key, made before serve holds the data folder: every call below carries it.
    const key = await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: env.LEADFLOW_DATA_DIR }, { tenant: 'default', role: 'uploader' });
    const api = fetchWithKey(key);
    const serve = async () => {
      const s = leadflow(['serve'], env);
      await waitUntil('leadflow serve to listen', () => (s.output().includes('leadflow serve: REST on') ? true : undefined), { timeoutMs: START_MS, describe: s.output });
      return s;
    };
    const getJob = async (id: string) => (await (await api(`${base}/v1/jobs/${id}`)).json()) as { status: string; counts: { rows: number }; failure?: { code: string; message: string } };
    // Sent whole on a kept-alive connection, as curl does: fetch (undici) stops sending a body once
    // it has read the whole answer, and the answer comes when the job exists (docs/upload-now.md).
    const upload = async (csv: string) => {
      const answer = (await streamUpload(httpPort, Buffer.from(csv), { apiKey: key })) as UploadAnswer;
      expect(answer.status).toBe(202);
      return answer.body.id!;
    };

    let first = await serve();
    const done = await upload(generateLeadFile({ seed: 11, rows: 50 }).csv);
    await waitUntil('the small job to complete', async () => ((await getJob(done)).status === 'completed' ? true : undefined), { timeoutMs: START_MS });

    // The upload is whole (its rows go on only then); the process dies with a sixth of them stored,
    // as the issue saw it. 50,000 rows still to go keep the job running well past the kill, even
    // when the machine is so busy that the polls below see its progress only every few seconds.
    const id = await upload(generateLeadFile({ seed: 12, rows: 60_000 }).csv);
    await waitUntil('10,000 rows of the big job to be stored', async () => {
      const job = await getJob(id);
      return job.status === 'running' && job.counts.rows >= 10_000 ? true : undefined;
    }, { timeoutMs: START_MS, intervalMs: 100, describe: () => getJob(id) });
    await killHard(first.child, first.exit);

    first = await serve();
    const job = await getJob(id);
    expect(job.status).toBe('failed');
    expect(job.counts.rows).toBeGreaterThanOrEqual(10_000);
    expect(job.counts.rows).toBeLessThan(60_000);
    expect(job.failure).toEqual({
      code: 'INTERRUPTED',
      message: 'the job was interrupted (the process running it stopped) before all its rows were stored: upload the file again',
    });
    expect((await getJob(done)).status).toBe('completed');

    // The event stream says so and ends.
    const events = await api(`${base}/v1/jobs/${id}/events`, { signal: AbortSignal.timeout(30_000) });
    const sent = (await events.text()).split('\n\n').filter(Boolean);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.replace(/^event: failed\ndata: /, ''))).toMatchObject({ id, status: 'failed', failure: { code: 'INTERRUPTED' } });

    const grpc = new LeadflowGatewayClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), { interceptors: [withApiKey(key)] });
    try {
      const updates: Job[] = [];
      await new Promise<void>((resolve, reject) => {
        const stream = grpc.watchJob({ id }, { deadline: Date.now() + 30_000 }) as unknown as ClientReadableStream<WatchJobResponse>;
        stream.on('data', (msg: WatchJobResponse) => updates.push(msg.job!));
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      expect(updates.map((u) => [u.status, u.failureCode])).toEqual([[JobStatus.JOB_STATUS_FAILED, 'INTERRUPTED']]);
    } finally {
      grpc.close();
    }
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });
});
