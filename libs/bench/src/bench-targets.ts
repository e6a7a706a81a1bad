/**
 * The gateways the benchmarks that speak to a running Leadflow measure (bench:leads,
 * bench:priority): `leadflow serve` on a new embedded database, or the eight services on the
 * infrastructure of `npm run infra` on a database of their own; each with an uploader key, and
 * how to stop it and everything it needed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { infraDown, infraUp, portOpen, repoRoot, SERVICE_NAMES, startServices } from '@leadflow/infra';
import { cleanUp, createUploaderKey, freePortRun, psql } from './kafka-mode.js';

export interface BenchTarget {
  /** `http://127.0.0.1:<HTTP_PORT>` */
  base: string;
  /** An uploader key of the bench's tenant. */
  key: string;
  /** The processes of Leadflow that answer and file the leads (not Kafka, PostgreSQL or Redis): their CPU time is measured. */
  pids: number[];
  stop(): Promise<void>;
}

const CLI = join(repoRoot(), 'services', 'cli', 'bin', 'leadflow.js');
/** HTTP_PORT and GRPC_PORT (default 8080, 50051): where the gateway listens. */
const ports = () => ({ http: Number(process.env.HTTP_PORT ?? 8080), grpc: Number(process.env.GRPC_PORT ?? 50051) });

async function freeHttpPort(): Promise<{ http: number; grpc: number }> {
  const { http, grpc } = ports();
  if (await portOpen(http)) throw new Error(`port ${http} (HTTP_PORT) is in use: stop what listens there, or export another HTTP_PORT`);
  return { http, grpc };
}

/** `leadflow serve` on a new embedded database in `workDir`, as a newcomer starts it. `bench` names the tenant and key (`bench:leads` → tenant bench-leads). */
export async function startServeTarget(workDir: string, bench: string, signal?: AbortSignal): Promise<BenchTarget> {
  const { http, grpc } = await freeHttpPort();
  const name = bench.replace(':', '-');
  const dataDir = mkdtempSync(join(workDir, `${name}-serve-`));
  const key = await createUploaderKey({ dataDir }, name, bench);
  const env: NodeJS.ProcessEnv = { ...process.env, LEADFLOW_DATA_DIR: dataDir, HTTP_PORT: String(http), GRPC_PORT: String(grpc), HTTP_HOST: '', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.METRICS_PORT;
  // BENCH_SERVE_NODE_ARGS: options for its node, as --cpu-prof --cpu-prof-dir=DIR to see where its time goes.
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 240_000;
  while (!output.includes('leadflow serve: REST on')) {
    if (child.exitCode !== null || Date.now() > deadline || signal?.aborted) {
      await stop();
      throw new Error(`leadflow serve did not start: ${output.trim().split('\n').at(-1) ?? 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base: `http://127.0.0.1:${http}`, key, pids: child.pid === undefined ? [] : [child.pid], stop };
}

/** The eight services on the infrastructure of `npm run infra`, on a database of their own (dropped after, with what they left in Kafka and Redis). */
export async function startKafkaTarget(bench: string, say: (line: string) => void): Promise<BenchTarget> {
  const { http, grpc } = await freeHttpPort();
  const infra = await infraUp((line) => say(`[infra] ${line}`));
  const run = Date.now();
  const name = bench.replace(':', '-');
  const tenant = `${name}-${run}`;
  const database = `leadflow_${name.replace(/-/g, '_')}_${run}`;
  const url = new URL(infra.env.DATABASE_URL);
  url.pathname = `/${database}`;
  psql(infra.env.DATABASE_URL, `CREATE DATABASE ${database}`);
  const undo = async () => {
    await cleanUp(infra.env, infra.env.DATABASE_URL, database, tenant).catch((err: Error) => say(`kafka: clean-up incomplete: ${err.message}`));
    if (infra.started.length > 0) await infraDown(infra.started, (line) => say(`[infra] ${line}`));
  };
  try {
    const key = await createUploaderKey(url.toString(), tenant, bench);
    const services = await startServices({
      env: { ...infra.env, DATABASE_URL: url.toString() },
      httpPort: http,
      grpcPort: grpc,
      metricsPortBase: await freePortRun(http + 10, SERVICE_NAMES.length),
      extraEnv: { LOG_LEVEL: 'warn' },
    });
    return { base: `http://127.0.0.1:${http}`, key, pids: Object.values(services.pids), stop: async () => { await services.stop(); await undo(); } };
  } catch (err) {
    await undo();
    throw err;
  }
}
