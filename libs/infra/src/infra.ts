import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dockerAnswers, removeContainer, startDockerComponent } from './docker-infra.js';
import { startLocalKafka } from './local-kafka.js';
import { startLocalPostgres } from './local-postgres.js';
import { startLocalRedis } from './local-redis.js';
import { stateDir } from './paths.js';
import { isAlive, portOpen, stopProcess } from './process-util.js';

/** The addresses every service and test reads (docs/architecture.md section 7). */
export interface InfraEnv {
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
  REDIS_URL: string;
}

type Component = 'kafka' | 'postgres' | 'redis';

interface ComponentState {
  /** local: a process this project started; docker: a container it started; external: named by a variable. */
  via: 'local' | 'docker' | 'external';
  address: string;
  pid?: number;
  containerId?: string;
  port?: number;
}

type InfraState = Partial<Record<Component, ComponentState>>;

export interface InfraHandle {
  env: InfraEnv;
  /** Components this call started (and `infraDown` would stop). */
  started: Component[];
}

const VARIABLE: Record<Component, keyof InfraEnv> = { kafka: 'KAFKA_BROKERS', postgres: 'DATABASE_URL', redis: 'REDIS_URL' };

const ports = () => ({
  kafka: Number(process.env.LEADFLOW_KAFKA_PORT ?? 19092),
  kafkaController: Number(process.env.LEADFLOW_KAFKA_CONTROLLER_PORT ?? 19093),
  postgres: Number(process.env.LEADFLOW_POSTGRES_PORT ?? 15432),
  redis: Number(process.env.LEADFLOW_REDIS_PORT ?? 16379),
});

const statePath = () => stateDir('infra.json');
const envPath = () => stateDir('infra.env');

function readState(): InfraState {
  return existsSync(statePath()) ? (JSON.parse(readFileSync(statePath(), 'utf8')) as InfraState) : {};
}

function writeState(state: InfraState): void {
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(statePath(), `${JSON.stringify(state, null, 2)}\n`);
  const lines = (Object.keys(VARIABLE) as Component[])
    .filter((c) => state[c])
    .map((c) => `${VARIABLE[c]}=${state[c]!.address}`);
  writeFileSync(envPath(), `${lines.join('\n')}\n`);
}

/** The addresses written by `infra up`, or undefined when it has not run. */
export function readInfraEnv(): InfraEnv | undefined {
  if (!existsSync(envPath())) return undefined;
  const env: Record<string, string> = {};
  for (const line of readFileSync(envPath(), 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env.KAFKA_BROKERS && env.DATABASE_URL && env.REDIS_URL ? (env as unknown as InfraEnv) : undefined;
}

async function stillRunning(s: ComponentState | undefined): Promise<boolean> {
  if (!s) return false;
  if (s.via === 'local') return isAlive(s.pid) && (s.port === undefined || (await portOpen(s.port)));
  if (s.via === 'docker') return s.port !== undefined && (await portOpen(s.port));
  return false;
}

/**
 * Makes Kafka, PostgreSQL and Redis available on loopback: what a variable names is used as
 * it is; what this project started before and still runs is reused; the rest is started as
 * Docker containers where a Docker engine answers, else from local binaries.
 */
export async function infraUp(log: (line: string) => void = () => {}): Promise<InfraHandle> {
  const state = readState();
  const started: Component[] = [];
  const p = ports();
  let docker: boolean | undefined;
  try {
    await startEach();
  } catch (err) {
    // What this call started must not outlive its failure (a later run would find the ports taken).
    if (started.length > 0) await infraDown(started, log).catch(() => undefined);
    throw err;
  }
  writeState(state);
  return { env: readInfraEnv()!, started };

  async function startEach() {
    for (const c of ['redis', 'postgres', 'kafka'] as const) {
      const named = process.env[VARIABLE[c]];
      if (named) {
        state[c] = { via: 'external', address: named };
        log(`${c}: using ${VARIABLE[c]}`);
        continue;
      }
      if (await stillRunning(state[c])) {
        log(`${c}: already running at ${state[c]!.address}`);
        continue;
      }
      docker ??= dockerAnswers();
      const port = c === 'kafka' ? p.kafka : c === 'postgres' ? p.postgres : p.redis;
      if (await portOpen(port)) {
        throw new Error(`${c}: port ${port} is taken by a process this project did not start; stop it, or set ${VARIABLE[c]} to use it`);
      }
      log(`${c}: starting ${docker ? 'a Docker container' : 'from local binaries'} on port ${port}`);
      if (docker) {
        const d = await startDockerComponent(c, port);
        state[c] = { via: 'docker', address: d.address, containerId: d.containerId, port };
      } else if (c === 'kafka') {
        const k = await startLocalKafka({ port, controllerPort: p.kafkaController }, log);
        state[c] = { via: 'local', address: k.brokers, pid: k.pid, port };
      } else if (c === 'postgres') {
        const pg = await startLocalPostgres({ port }, log);
        state[c] = { via: 'local', address: pg.url, pid: pg.pid, port };
      } else {
        const r = await startLocalRedis({ port }, log);
        state[c] = { via: 'local', address: r.url, pid: r.pid, port };
      }
      started.push(c);
      writeState(state);
    }
  }
}

/** Stops what `infraUp` started (by process id or container id); leaves external ones alone. */
export async function infraDown(only?: readonly Component[], log: (line: string) => void = () => {}): Promise<void> {
  const state = readState();
  for (const c of ['kafka', 'postgres', 'redis'] as const) {
    const s = state[c];
    if (!s || (only && !only.includes(c))) continue;
    if (s.via === 'local' && s.pid) {
      log(`${c}: stopping process ${s.pid}`);
      await stopProcess(s.pid, c === 'kafka' ? 30_000 : 15_000);
    } else if (s.via === 'docker' && s.containerId) {
      log(`${c}: removing container ${s.containerId.slice(0, 12)}`);
      removeContainer(s.containerId);
    }
    delete state[c];
  }
  writeState(state);
}

/** Process ids of the components running from local binaries (none for containers or external ones). */
export function infraProcesses(): Partial<Record<Component, number>> {
  const state = readState();
  const out: Partial<Record<Component, number>> = {};
  for (const c of ['kafka', 'postgres', 'redis'] as const) {
    const s = state[c];
    if (s?.via === 'local' && s.pid && isAlive(s.pid)) out[c] = s.pid;
  }
  return out;
}

export async function infraStatus(): Promise<Record<Component, string>> {
  const state = readState();
  const out = {} as Record<Component, string>;
  for (const c of ['kafka', 'postgres', 'redis'] as const) {
    const s = state[c];
    out[c] = !s ? 'stopped' : (await stillRunning(s)) || s.via === 'external' ? `running (${s.via}) at ${s.address}` : 'stopped (stale state)';
  }
  return out;
}
