import { spawnSync } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisCandidateIndex } from '@leadflow/dedup';
import { findProgram, infraProcesses, portOpen, SERVICE_NAMES, startServices, type InfraEnv, type ServicesHandle } from '@leadflow/infra';
import { createRedis, createRedisFingerprintStore } from '@leadflow/stores';
import { formatBytes } from './measured-run.js';
import { countsOf, type ModeResult } from './mode-result.js';
import { peakOfEach, peakRss, processTree, sharedServer, startSampling } from './process-memory.js';

export interface KafkaModeOptions {
  file: string;
  env: InfraEnv;
  httpPort: number;
  grpcPort: number;
  timeoutMs: number;
  /** The services' resident memory, summed, above which the job is abandoned. */
  maxRss: number;
  log: (line: string) => void;
  /** Aborted when the bench itself is interrupted: the job is abandoned, the services stopped. */
  signal?: AbortSignal;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** `count` consecutive free loopback ports from `from` on: the services' metrics ports. */
async function freePortRun(from: number, count: number): Promise<number> {
  for (let base = from; base < from + 200; base++) {
    let free = true;
    for (let i = 0; i < count && free; i++) free = !(await portOpen(base + i));
    if (free) return base;
  }
  throw new Error(`no ${count} free ports in a row from ${from}`);
}

function psql(url: string, command: string): void {
  const program = findProgram('psql', ['/usr/bin/psql']);
  if (!program) throw new Error('psql not found: install the postgresql-client package');
  const res = spawnSync(program, [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', command], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`psql: ${res.stderr.trim()}`);
}

/**
 * The eight services as `npm run services -- up` starts them, on a database and a tenant of
 * their own (created here, dropped after), timed from the first byte of the REST upload to the
 * job's completion as `GET /v1/jobs/{id}` reports it.
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
    const startedAt = performance.now();
    services = await startServices({
      env: { ...opts.env, DATABASE_URL: benchUrl.toString() },
      httpPort: opts.httpPort,
      grpcPort: opts.grpcPort,
      metricsPortBase: await freePortRun(opts.httpPort + 10, SERVICE_NAMES.length),
      extraEnv: { GATEWAY_TENANT: tenant, LOG_LEVEL: 'warn' },
    });
    const ready = (performance.now() - startedAt) / 1000;
    opts.log(`kafka: services ready in ${ready.toFixed(1)} s; uploading`);
    return await uploadAndWait(opts, services, ready);
  } finally {
    await services?.stop();
    await cleanUp(opts.env, adminUrl, database, tenant).catch((err: Error) => opts.log(`kafka: clean-up incomplete: ${err.message}`));
  }
}

async function uploadAndWait(opts: KafkaModeOptions, services: ServicesHandle, ready: number): Promise<ModeResult> {
  const pids = Object.values(services.pids);
  const own = peakOfEach(() => pids);
  const infra = infraProcesses();
  const postgres = infra.postgres ? sharedServer(() => processTree(infra.postgres!)) : undefined;
  let overCap = false;
  const sampling = startSampling([own, ...(postgres ? [postgres] : [])], 500, () => {
    if (own.current() > opts.maxRss) overCap = true;
  });
  const base = `http://127.0.0.1:${opts.httpPort}`;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let failure: string | undefined;
  let job: { id?: string; status?: string; counts?: Record<string, unknown>; failure?: { code: string; message: string } } = {};
  try {
    const form = new FormData();
    form.append('supplier', 'bench');
    form.append('file', await openAsBlob(opts.file, { type: 'text/csv' }), basename(opts.file));
    const answer = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form, signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])]) });
    job = (await answer.json()) as typeof job;
    if (answer.status !== 202 || !job.id) {
      failure = `upload answered ${answer.status}: ${JSON.stringify(job).slice(0, 200)}`;
    } else {
      opts.log(`kafka: upload answered 202 after ${elapsed().toFixed(1)} s; waiting for job ${job.id}`);
      let lastReport = 0;
      while (!failure) {
        const deadWhile = SERVICE_NAMES.filter((name) => peakRss(services.pids[name]) === undefined);
        if (opts.signal?.aborted) failure = 'the bench was interrupted';
        else if (deadWhile.length > 0) failure = `service ${deadWhile.join(', ')} exited (log: .leadflow/logs/${deadWhile[0]}.log)`;
        else if (overCap) failure = `the services' resident memory passed the cap of ${formatBytes(opts.maxRss)} (--max-rss-mb)`;
        else if (elapsed() * 1000 > opts.timeoutMs) failure = `the job did not end within ${Math.round(opts.timeoutMs / 1000)} s (--timeout)`;
        if (failure) break;
        const res = await fetch(`${base}/v1/jobs/${job.id}`, { signal: AbortSignal.timeout(10_000) });
        job = (await res.json()) as typeof job;
        if (job.status && FINAL.has(job.status)) break;
        if (elapsed() - lastReport >= 30) {
          lastReport = elapsed();
          opts.log(`kafka: ${job.status}, ${JSON.stringify(job.counts)} after ${Math.round(lastReport)} s`);
        }
        await sleep(500);
      }
      if (!failure && job.status !== 'completed') failure = `job ${job.status}${job.failure ? `: ${job.failure.code} ${job.failure.message}` : ''}`;
    }
  } catch (err) {
    failure = `upload or status request failed: ${(err as Error).message}`;
  }
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
    notes: [`services ready in ${ready.toFixed(1)} s before the upload (not counted)`],
    ...(failure ? { failure } : {}),
  };
}

/** The bench's database and its tenant's Redis keys go again: they are nobody's data. */
async function cleanUp(env: InfraEnv, adminUrl: string, database: string, tenant: string): Promise<void> {
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
