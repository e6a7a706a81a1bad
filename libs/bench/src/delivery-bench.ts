/**
 * `npm run bench:delivery`: the delivery dispatcher (services/delivery, docs/delivery.md) sending
 * to a fast receiver on loopback (node:http answering 200 at once, keep-alive), on the real
 * PostgreSQL of `npm run infra` in a database of its own:
 *
 * - record mode: `--events N` events of one lead to one endpoint, already written, sent by ONE
 *   dispatcher (DELIVERY_CONCURRENCY, default 64): requests per second until the outbox records
 *   every one delivered;
 * - batch mode: `--batch-leads N` leads in events of 500: leads per second, likewise;
 * - added latency: `--latency-events N` record events written as the delivery consumer writes
 *   them (the outbox writer, nudging the dispatcher) at a steady `--pace` per second, well under
 *   what the dispatcher can send: p50/p99 from each event's write committed to its request
 *   received.
 *
 * Prints the figures against issue 14's goals and adds them, newest first, to
 * services/delivery/bench/RESULTS.md with the date, commit, machine and load average.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  createDispatcher, createMemoryTokenBuckets, createOutboxStage, createOutboxStore, createSqlEndpointStore, DEFAULT_RETRY_SCHEDULE, migrations,
  parseRetrySchedule,
} from '@leadflow/delivery';
import { infraDown, infraUp, repoRoot, stateDir, type InfraHandle } from '@leadflow/infra';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createOutboundFetch, createOutboundRules } from '@leadflow/outbound';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPostgres, migrate, type SqlClient } from '@leadflow/stores';
import { takeBenchLock } from './bench-lock.js';
import {
  DELIVERY_GOALS, DELIVERY_RUNS_MARKER, formatDeliveryRun, insertNewestFirst, latencyOf, type DeliveryRun, type LatencyFigure, type ThroughputFigure,
} from './delivery-figures.js';

const RESULTS = join(repoRoot(), 'services/delivery/bench/RESULTS.md');
const DATABASE = 'leadflow_delivery_bench';
const BATCH_SIZE = 500;
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * CPU seconds of the PostgreSQL server of `npm run infra` (local binaries): the postmaster's own
 * and its reaped children's, plus its live backends', from /proc. Undefined elsewhere (a server
 * in a container, no /proc): the figure is then left out.
 */
function postgresCpuSeconds(): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir('postgres'), 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const ticks = 100; // USER_HZ on Linux
    const stat = (p: number | string) => {
      const text = readFileSync(`/proc/${p}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    };
    // Fields after the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    const own = stat(pid);
    let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = stat(entry);
        if (Number(f[1]) === pid) total += Number(f[11]) + Number(f[12]);
      } catch {
        // Gone meanwhile.
      }
    }
    return total / ticks;
  } catch {
    return undefined;
  }
}
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} takes a positive number`);
  return n;
}
const textOption = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};

/** The commit measured; "+changes" when tracked files differ from it (the results file aside). */
function commitMeasured(): string {
  const git = (...args: string[]) => spawnSync('git', ['-C', repoRoot(), ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short=10', 'HEAD').stdout.trim() || 'unknown';
  const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)services/delivery/bench/RESULTS.md').stdout.trim();
  return changed ? `${head}+changes` : head;
}

/** The receiver: 200 at once; for each request its arrival time and the event's job and row. */
interface Receiver {
  url: string;
  arrivals: Map<string, { at: number; row: number }[]>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, { at: number; row: number }[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
      try {
        const { data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { jobId: string; row?: number } };
        const list = arrivals.get(data.jobId) ?? [];
        if (list.length === 0) arrivals.set(data.jobId, list);
        list.push({ at, row: data.row ?? 0 });
      } catch {
        // Not an event of the bench: counted nowhere.
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrivals,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** `rows` accepted leads of a job, numbered from `from`. */
function batchOf(tenantId: string, jobId: string, from: number, rows: number, last = false): LeadBatch {
  return {
    job: { jobId, tenantId, supplier: 'bench', webhookUrl: '', fileName: 'bench.csv', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last, totalRows: rows, failure: undefined,
    rows: Array.from({ length: rows }, (_, i) => ({
      rowNumber: from + i,
      lead: { ...emptyLead(), email: `lead${from + i}@example.com`, firstName: 'Ada', lastName: 'Lovelace', phone: '+14155550123', company: 'Example Inc' },
      disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, from + i),
    })),
  };
}

interface Setup {
  db: SqlClient;
  receiver: Receiver;
  concurrency: number;
  timeoutMs: number;
}

const keyring = createKeyring(parseSecretKeys(newKeyEntry('bench')), 'LEADFLOW_SECRET_KEYS');
const logger = createLogger({ name: 'delivery-bench', level: process.env.LOG_LEVEL ?? 'warn' });
const metrics = createMetrics({ defaultMetrics: false });
const fetch = createOutboundFetch(createOutboundRules({ allowCidrs: ['127.0.0.0/8'], allowHttp: true }));

async function endpoint(s: Setup, tenantId: string, mode: 'record' | 'batch'): Promise<void> {
  const id = await createSqlEndpointStore(s.db, keyring).save({ tenantId, url: s.receiver.url, secret: `whsec_${randomBytes(24).toString('base64')}` });
  await s.db.query('UPDATE webhook_endpoints SET mode = $2, batch_size = $3 WHERE id = $1', [id, mode, BATCH_SIZE]);
}

const dispatcherFor = (s: Setup) =>
  createDispatcher({
    store: createOutboxStore(s.db), keyring, buckets: createMemoryTokenBuckets(), fetch, logger, metrics,
    schedule: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), concurrency: s.concurrency,
  });

async function pendingOf(db: SqlClient, jobId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM delivery_events WHERE job_id = $1 AND status = 'pending'", [jobId]);
  return rows[0]!.n;
}

/** Writes `leads` leads of one job to the tenant's endpoint first, then times one dispatcher sending them all. */
async function throughput(s: Setup, mode: 'record' | 'batch', leads: number): Promise<ThroughputFigure> {
  const tenantId = `bench-${mode}`;
  const jobId = `bench-${mode}-${randomBytes(4).toString('hex')}`;
  await endpoint(s, tenantId, mode);
  const write = createOutboxStage({ db: s.db, logger, metrics });
  for (let from = 1; from <= leads; from += 1000) await write(batchOf(tenantId, jobId, from, Math.min(1000, leads - from + 1)));
  const { rows } = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_events WHERE job_id = $1', [jobId]);
  const events = rows[0]!.n;
  say(`${mode}: ${events.toLocaleString('en-US')} events of ${leads.toLocaleString('en-US')} leads written; sending`);
  const dispatcher = dispatcherFor(s);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const db0 = postgresCpuSeconds();
  await dispatcher.start();
  try {
    // Bounded: every 50 ms, until nothing of the job is pending or the bound passes.
    while ((await pendingOf(s.db, jobId)) > 0) {
      if (performance.now() - t0 > s.timeoutMs) throw new Error(`not all sent within ${Math.round(s.timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await dispatcher.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const db1 = postgresCpuSeconds();
  const received = s.receiver.arrivals.get(jobId)?.length ?? 0;
  if (received !== events) throw new Error(`the receiver got ${received} requests for ${events} events`);
  const { rows: failed } = await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM delivery_events WHERE job_id = $1 AND status <> 'delivered'", [jobId]);
  if (failed[0]!.n > 0) throw new Error(`${failed[0]!.n} events not delivered`);
  return { events, leads, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...(db0 !== undefined && db1 !== undefined ? { dbCpuSeconds: db1 - db0 } : {}) };
}

/**
 * Record events written as the consumer writes them, 10 every 50 ms (or as `pace` says), with the
 * dispatcher running and nudged by the writer, as in a delivery replica: from each write
 * committed to the receiver getting the event.
 */
async function addedLatency(s: Setup, events: number, pace: number): Promise<LatencyFigure> {
  const tenantId = 'bench-latency';
  const jobId = `bench-latency-${randomBytes(4).toString('hex')}`;
  await endpoint(s, tenantId, 'record');
  const dispatcher = dispatcherFor(s);
  const write = createOutboxStage({ db: s.db, logger, metrics, onWritten: () => dispatcher.nudge() });
  await dispatcher.start();
  const writtenAt = new Map<number, number>();
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((pace * tickMs) / 1000));
  const t0 = performance.now();
  try {
    for (let from = 1, tick = 0; from <= events; from += perTick, tick++) {
      const wait = t0 + tick * tickMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const n = Math.min(perTick, events - from + 1);
      await write(batchOf(tenantId, jobId, from, n));
      const at = performance.now();
      for (let r = from; r < from + n; r++) writtenAt.set(r, at);
    }
    while ((await pendingOf(s.db, jobId)) > 0) {
      if (performance.now() - t0 > s.timeoutMs) throw new Error(`not all sent within ${Math.round(s.timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await dispatcher.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const got = s.receiver.arrivals.get(jobId) ?? [];
  if (got.length !== events) throw new Error(`the receiver got ${got.length} requests for ${events} events`);
  // A write's promise resolves after its commit; an event may arrive a hair before it is seen resolved: 0.
  return { ...latencyOf(got.map((a) => Math.max(0, a.at - writtenAt.get(a.row)!)), events / seconds), pacePerSecond: pace };
}

async function main(): Promise<number> {
  const recordEvents = Math.floor(option('--events', 20_000));
  const batchLeads = Math.floor(option('--batch-leads', 100_000));
  const latencyEvents = Math.floor(option('--latency-events', 2_000));
  const pace = option('--pace', 200);
  const note = textOption('--note');
  const dryRun = process.argv.includes('--dry-run');
  const concurrency = Math.floor(Number(process.env.DELIVERY_CONCURRENCY ?? 64));
  const timeoutMs = option('--timeout-seconds', 300) * 1000;
  const pgConnections = Math.floor(option('--pg-connections', 10));
  const workDir = stateDir('bench');
  mkdirSync(workDir, { recursive: true });
  const release = takeBenchLock(join(workDir, 'bench.lock'));
  const commit = commitMeasured();
  const loadAtStart = load();
  let infra: InfraHandle | undefined;
  let admin: SqlClient | undefined;
  let db: SqlClient | undefined;
  let receiver: Receiver | undefined;
  const run: DeliveryRun = { date: new Date(), commit, machine: '', concurrency, pgConnections };
  try {
    infra = await infraUp((l) => say(`[infra] ${l}`));
    admin = createPostgres({ url: infra.env.DATABASE_URL });
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    const url = new URL(infra.env.DATABASE_URL);
    url.pathname = `/${DATABASE}`;
    // The delivery service's pool is createPostgres's default (10); --pg-connections tries another.
    db = createPostgres({ url: url.toString(), applicationName: 'leadflow-delivery-bench', maxConnections: pgConnections });
    await migrate(db, migrations);
    receiver = await startReceiver();
    const s: Setup = { db, receiver, concurrency, timeoutMs };
    const attempt = async <T>(name: string, f: () => Promise<T>): Promise<T | { failure: string }> => {
      try {
        return await f();
      } catch (err) {
        say(`${name}: failed: ${(err as Error).message}`);
        return { failure: (err as Error).message.split('\n')[0]! };
      }
    };
    run.record = await attempt('record', () => throughput(s, 'record', recordEvents));
    run.batch = await attempt('batch', () => throughput(s, 'batch', batchLeads));
    run.latency = await attempt('latency', () => addedLatency(s, latencyEvents, pace));
  } finally {
    await receiver?.close();
    await fetch.close();
    await db?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => {});
    await admin?.close();
    if (infra && infra.started.length > 0) await infraDown(infra.started, (l) => say(`[infra] ${l}`));
    release();
  }
  const cores = cpus();
  run.machine =
    `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, shared; ` +
    `load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${load()} at the end; Node ${process.version}` + (note ? `; ${note}` : '');
  const entry = formatDeliveryRun(run);
  say('');
  say(entry);
  if (!dryRun) {
    const text = existsSync(RESULTS)
      ? readFileSync(RESULTS, 'utf8')
      : '# Delivery benchmark results\n\nAdded by `npm run bench:delivery` (libs/bench/src/delivery-bench.ts; docs/delivery.md, "Throughput"). ' +
        `Goals (issue 14): ≥ ${DELIVERY_GOALS.recordPerSecond.toLocaleString('en-US')} requests/s in record mode and ` +
        `≥ ${DELIVERY_GOALS.batchLeadsPerSecond.toLocaleString('en-US')} leads/s in batch mode from one dispatcher; p99 added latency < ${DELIVERY_GOALS.p99AddedMs} ms.\n\n${DELIVERY_RUNS_MARKER}\n`;
    writeFileSync(RESULTS, insertNewestFirst(text, DELIVERY_RUNS_MARKER, entry));
    say(`added to ${RESULTS}`);
  }
  const failed = [run.record, run.batch, run.latency].some((f) => !f || 'failure' in f);
  return failed ? 1 : 0;
}

if (process.argv.includes('--help')) {
  say('npm run bench:delivery -- [--events 20000] [--batch-leads 100000] [--latency-events 2000] [--pace 200] [--timeout-seconds 300] [--pg-connections 10] [--note TEXT] [--dry-run]');
  process.exit(0);
}
main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench:delivery: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
