import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { keyFileText } from '@leadflow/secrets';
import type { InfraEnv } from './infra.js';
import { repoRoot, stateDir } from './paths.js';
import { isAlive, spawnDetached, stopProcess, waitFor } from './process-util.js';

/** The eight services of docs/architecture.md section 2, in the order they start. */
export const SERVICE_NAMES = ['persistence', 'delivery', 'dnc', 'enrichment', 'dedup', 'mapping', 'ingest', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface StartServicesOptions {
  env: InfraEnv;
  /** First metrics port; service i gets base + i. @default 9101 */
  metricsPortBase?: number;
  /** @default 8080 */
  httpPort?: number;
  /** @default 50051 */
  grpcPort?: number;
  /** More variables for every service (BATCH_SIZE, LOG_LEVEL, ...). */
  extraEnv?: Record<string, string>;
  /** Where process ids are kept for `services down`; none keeps them only in the handle. */
  pidFile?: string;
}

/**
 * The keys delivery seals webhook secrets with, in development: LEADFLOW_SECRET_KEYS when set,
 * else the key file `leadflow run` and `serve` make beside their default data folder
 * (`.leadflow/data.keys`), so the services and the standalone commands on the same database
 * open each other's secrets. A deployment sets the variable from a Secret (charts/leadflow).
 */
export const devSecretKeys = (): string => process.env.LEADFLOW_SECRET_KEYS || keyFileText(stateDir('data.keys')).trim().split(/\s+/).join(',');

export interface ServicesHandle {
  pids: Record<ServiceName, number>;
  metricsPorts: Record<ServiceName, number>;
  httpPort: number;
  grpcPort: number;
  /** Stops every service (SIGTERM, then SIGKILL after 20 s); returns those that had to be killed. */
  stop(): Promise<ServiceName[]>;
  /** Kills one service at once (SIGKILL: a crash, no graceful stop), then starts it again and waits until it is ready. */
  crashAndRestart(name: ServiceName): Promise<void>;
  /** Starts one more replica of a service (same consumer group), waits until it is ready; stop() stops it too. */
  addReplica(name: ServiceName): Promise<number>;
}

/** Starts the services as separate processes in Kafka mode and waits until each is ready. */
export async function startServices(opts: StartServicesOptions): Promise<ServicesHandle> {
  const base = opts.metricsPortBase ?? 9101;
  const httpPort = opts.httpPort ?? 8080;
  const grpcPort = opts.grpcPort ?? 50051;
  const pids = {} as Record<ServiceName, number>;
  const metricsPorts = {} as Record<ServiceName, number>;
  const replicas: [ServiceName, number][] = [];
  const stop = async (): Promise<ServiceName[]> => {
    const entries = [...(Object.entries(pids) as [ServiceName, number][]), ...replicas];
    const results = await Promise.all(entries.map(([, pid]) => stopProcess(pid, 20_000)));
    return entries.filter((_, i) => results[i] === 'killed').map(([name]) => name);
  };
  const secretKeys = devSecretKeys();
  const spawnService = (name: ServiceName, metricsPort: number, logName: string) => {
    const main = join(repoRoot(), 'services', name, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    return spawnDetached(process.execPath, [main], {
      logFile: stateDir('logs', `${logName}.log`),
      env: {
        ...process.env,
        ...opts.env,
        METRICS_PORT: String(metricsPort),
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        LEADFLOW_SECRET_KEYS: secretKeys,
        ...opts.extraEnv,
      },
    });
  };
  const launch = (name: ServiceName, i: number) => {
    metricsPorts[name] = base + i;
    pids[name] = spawnService(name, base + i, name);
    if (opts.pidFile) writePids(opts.pidFile, pids);
  };
  /** Waits until the process answers /readyz on its metrics port. */
  const readyAt = (label: string, metricsPort: number, logName: string, pid: number) =>
    waitFor(
      label,
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: 90_000, logFile: stateDir('logs', `${logName}.log`), pid },
    );
  const ready = (name: ServiceName) => readyAt(name, metricsPorts[name], name, pids[name]);
  try {
    SERVICE_NAMES.forEach((name, i) => launch(name, i));
    for (const name of SERVICE_NAMES) await ready(name);
  } catch (err) {
    await stop();
    throw err;
  }
  const crashAndRestart = async (name: ServiceName) => {
    process.kill(pids[name], 'SIGKILL');
    await waitFor(`${name} to die`, () => !isAlive(pids[name]), { timeoutMs: 10_000 });
    launch(name, SERVICE_NAMES.indexOf(name));
    await ready(name);
  };
  const addReplica = async (name: ServiceName) => {
    const n = replicas.length + 2;
    const metricsPort = base + SERVICE_NAMES.length + replicas.length;
    const pid = spawnService(name, metricsPort, `${name}-${n}`);
    replicas.push([name, pid]);
    await readyAt(`${name} replica ${n}`, metricsPort, `${name}-${n}`, pid);
    return pid;
  };
  return { pids, metricsPorts, httpPort, grpcPort, stop, crashAndRestart, addReplica };
}

function writePids(file: string, pids: Record<string, number>) {
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(file, `${JSON.stringify(pids, null, 2)}\n`);
}

export const servicesPidFile = () => stateDir('services.json');

/** Stops the services recorded in the pid file by `services up`. */
export async function stopRecordedServices(): Promise<string[]> {
  const file = servicesPidFile();
  if (!existsSync(file)) return [];
  const pids = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  const stopped = Object.entries(pids).filter(([, pid]) => isAlive(pid)).map(([name]) => name);
  await Promise.all(Object.values(pids).map((pid) => stopProcess(pid, 20_000)));
  writeFileSync(file, '{}\n');
  return stopped;
}
