import { execFile, spawnSync } from 'node:child_process';
import { openAsBlob, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createRedisCandidateIndex } from '@leadflow/dedup';
import { findProgram, infraProcesses, portOpen, repoRoot, SERVICE_NAMES, startServices, type InfraEnv, type ServicesHandle } from '@leadflow/infra';
import { createRedis, createRedisFingerprintStore } from '@leadflow/stores';
import { formatBytes } from './measured-run.js';
import { BENCH_HEADER } from './lead-generator.js';
import { countsOf, type ModeResult } from './mode-result.js';
import { cachedTree, peakOfEach, peakRss, sharedServer, startSampling } from './process-memory.js';

export interface KafkaModeOptions {
  file: string;
  env: InfraEnv;
  httpPort: number;
  grpcPort: number;
  timeoutMs: number;
  /** The services' resident memory, summed, above which the job is abandoned. */
  maxRss: number;
  log: (line: string) => void;
  /** Where the warm-up file goes. */
  workDir: string;
  /** Aborted when the bench itself is interrupted: the job is abandoned, the services stopped. */
  signal?: AbortSignal;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** `count` consecutive free loopback ports from `from` on: the services' metrics ports. */
export async function freePortRun(from: number, count: number): Promise<number> {
  for (let base = from; base < from + 200; base++) {
    let free = true;
    for (let i = 0; i < count && free; i++) free = !(await portOpen(base + i));
    if (free) return base;
  }
  throw new Error(`no ${count} free ports in a row from ${from}`);
}

export function psql(url: string, command: string): void {
  const program = findProgram('psql', ['/usr/bin/psql']);
  if (!program) throw new Error('psql not found: install the postgresql-client package');
  const res = spawnSync(program, [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', command], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`psql: ${res.stderr.trim()}`);
}

/**
 * An uploader key of `tenant` in the database of `databaseUrl`, made as an operator makes one:
 * `leadflow keys create`, which prints the key as its last line (and nothing else on stdout).
 */
export async function createUploaderKey(databaseUrl: string | { dataDir: string }, tenant: string, name = 'bench:pipeline'): Promise<string> {
  const cli = join(repoRoot(), 'services', 'cli', 'bin', 'leadflow.js');
  const args = [cli, 'keys', 'create', '--tenant', tenant, '--role', 'uploader', '--name', name];
  // The embedded database of a data folder, or a server's.
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: '' };
  if (typeof databaseUrl === 'string') env.DATABASE_URL = databaseUrl;
  else {
    delete env.DATABASE_URL;
    env.LEADFLOW_DATA_DIR = databaseUrl.dataDir;
  }
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { env, timeout: 120_000 });
    return stdout.trim().split('\n').at(-1)!;
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(`leadflow keys create failed: ${stderr?.trim() || message}`);
  }
}

/**
 * The eight services as `npm run services -- up` starts them, on a database and a tenant of
 * their own (created here, dropped after), timed from the first byte of the REST upload to the
 * job's completion as `GET /v1/jobs/{id}` reports it. The calls carry an uploader key of that
 * tenant, made before the services start (not timed).
 */
export async function measureKafka(opts: KafkaModeOptions): Promise<ModeResult> {
  const run = Date.now();
  const tenant = `bench-${run}`;
  const database = `leadflow_bench_${run}`;
  const adminUrl = opts.env.DATABASE_URL;
  const benchUrl = new URL(adminUrl);
  benchUrl.pathname = `/${database}`;
  if (await portOpen(opts.httpPort)) {
    return { mode: 'kafka', failure: `port ${opts.httpPort} (HTTP_PORT) is in use: stop what listens there, or export another HTTP_PORT` };
  }
  psql(adminUrl, `CREATE DATABASE ${database}`);
  let services: ServicesHandle | undefined;
  try {
    const key = await createUploaderKey(benchUrl.toString(), tenant);
    const startedAt = performance.now();
    services = await startServices({
      env: { ...opts.env, DATABASE_URL: benchUrl.toString() },
      httpPort: opts.httpPort,
      grpcPort: opts.grpcPort,
      metricsPortBase: await freePortRun(opts.httpPort + 10, SERVICE_NAMES.length),
      extraEnv: { LOG_LEVEL: 'warn' },
    });
    const ready = (performance.now() - startedAt) / 1000;
    opts.log(`kafka: services ready in ${ready.toFixed(1)} s; uploading`);
    return await warmUpAndMeasure({ ...opts, key }, services, ready, opts.workDir);
  } finally {
    await services?.stop();
    await cleanUp(opts.env, adminUrl, database, tenant).catch((err: Error) => opts.log(`kafka: clean-up incomplete: ${err.message}`));
  }
}

/** What one upload came to: the job as GET /v1/jobs/{id} last answered, and why it did not complete. */
interface JobOutcome {
  job: { id?: string; status?: string; counts?: Record<string, unknown> };
  failure?: string;
}

/** The options of a run, with the API key its calls carry. */
type KeyedOptions = KafkaModeOptions & { key: string };

/**
 * Uploads `file` and polls the job until it ends, bounded by the timeout, the memory cap, the
 * services staying alive and the bench not being interrupted.
 */
async function uploadAndWait(opts: KeyedOptions, services: ServicesHandle, file: string, ok: () => string | undefined, elapsed: () => number): Promise<JobOutcome> {
  const base = `http://127.0.0.1:${opts.httpPort}`;
  const headers = { authorization: `Bearer ${opts.key}` };
  let job: JobOutcome['job'] & { failure?: { code: string; message: string } } = {};
  try {
    // No supplier, as `leadflow run FILE` has none: both modes map the file from its own header and values.
    const form = new FormData();
    form.append('file', await openAsBlob(file, { type: 'text/csv' }), basename(file));
    const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])]);
    const answer = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form, headers, signal });
    job = (await answer.json()) as typeof job;
    if (answer.status !== 202 || !job.id) return { job, failure: `upload answered ${answer.status}: ${JSON.stringify(job).slice(0, 200)}` };
    opts.log(`kafka: upload of ${basename(file)} answered 202 after ${elapsed().toFixed(1)} s; waiting for job ${job.id}`);
    let lastReport = 0;
    for (;;) {
      const dead = SERVICE_NAMES.filter((name) => peakRss(services.pids[name]) === undefined);
      if (dead.length > 0) return { job, failure: `service ${dead.join(', ')} exited (log: .leadflow/logs/${dead[0]}.log)` };
      const stop = ok();
      if (stop) return { job, failure: stop };
      const res = await fetch(`${base}/v1/jobs/${job.id}`, { headers, signal: AbortSignal.timeout(10_000) });
      job = (await res.json()) as typeof job;
      if (job.status && FINAL.has(job.status)) break;
      if (elapsed() - lastReport >= 30) {
        lastReport = elapsed();
        opts.log(`kafka: ${job.status}, ${JSON.stringify(job.counts)} after ${Math.round(lastReport)} s`);
      }
      await sleep(500);
    }
  } catch (err) {
    return { job, failure: `upload or status request failed: ${(err as Error).message}` };
  }
  return job.status === 'completed' ? { job } : { job, failure: `job ${job.status}${job.failure ? `: ${job.failure.code} ${job.failure.message}` : ''}` };
}

/**
 * First a few rows without a usable contact (so nothing is stored that the measured file could
 * match) through every stage: the consumer groups join and the partitions are assigned, which
 * on a new broker takes tens of seconds that say nothing of the pipeline. Then the file.
 */
async function warmUpAndMeasure(opts: KeyedOptions, services: ServicesHandle, ready: number, workDir: string): Promise<ModeResult> {
  const warmFile = join(workDir, 'warm-up.csv');
  writeFileSync(warmFile, `${BENCH_HEADER.join(',')}\r\n${'Warm,Up,not-an-email,12,,,,,,,\r\n'.repeat(50)}`);
  const warmStart = performance.now();
  const warmElapsed = () => (performance.now() - warmStart) / 1000;
  const warm = await uploadAndWait(opts, services, warmFile, () => (opts.signal?.aborted ? 'the bench was interrupted' : warmElapsed() > 300 ? 'the warm-up job did not end within 300 s' : undefined), warmElapsed);
  if (warm.failure) return { mode: 'kafka', failure: `warm-up: ${warm.failure}` };
  const warmSeconds = warmElapsed();

  const pids = Object.values(services.pids);
  const own = peakOfEach(() => pids);
  const infra = infraProcesses();
  const postgres = infra.postgres ? sharedServer(cachedTree(infra.postgres)) : undefined;
  let overCap = false;
  const sampling = startSampling([own, ...(postgres ? [postgres] : [])], 500, () => {
    if (own.current() > opts.maxRss) overCap = true;
  });
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const bound = () =>
    opts.signal?.aborted ? 'the bench was interrupted'
    : overCap ? `the services' resident memory passed the cap of ${formatBytes(opts.maxRss)} (--max-rss-mb)`
    : elapsed() * 1000 > opts.timeoutMs ? `the job did not end within ${Math.round(opts.timeoutMs / 1000)} s (--timeout)`
    : undefined;
  const { job, failure } = await uploadAndWait(opts, services, opts.file, bound, elapsed);
  const seconds = elapsed();
  sampling.stop();
  const counts = job.counts ? countsOf(job.counts) : undefined;
  return {
    mode: 'kafka',
    seconds,
    rows: counts?.rows,
    ...(counts ? { counts } : {}),
    memory: [
      ['8 services (sum)', own.peak()],
      ['Kafka broker', infra.kafka ? peakRss(infra.kafka) : undefined],
      ['PostgreSQL', postgres?.peak()],
      ['Redis', infra.redis ? peakRss(infra.redis) : undefined],
    ],
    notes: [`services ready in ${ready.toFixed(1)} s and a 50-row warm-up job done in ${warmSeconds.toFixed(1)} s before the upload (neither counted)`],
    ...(failure ? { failure } : {}),
  };
}

/** The bench's database and its tenant's Redis keys go again: they are nobody's data. */
export async function cleanUp(env: InfraEnv, adminUrl: string, database: string, tenant: string): Promise<void> {
  psql(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  const redis = createRedis({ url: env.REDIS_URL, name: 'leadflow-bench' });
  try {
    await redis.connect();
    await createRedisCandidateIndex(redis).clear(tenant);
    await createRedisFingerprintStore(redis).clear(tenant);
  } finally {
    redis.disconnect();
  }
}
