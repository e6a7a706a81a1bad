/**
 * `npm run bench:pipeline -- --rows N`: one generated lead file moved into PostgreSQL three
 * ways, each timed with its peak memory: PostgreSQL's `\copy` of the raw file (the floor),
 * `leadflow run` (standalone, embedded database), and the eight services over Kafka from the
 * REST upload to the job's completion. Prints the table and adds it to libs/bench/RESULTS.md
 * with the date, commit and machine. Every mode is bounded in time and memory; one that fails
 * is reported as failed with its reason, and the next one runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraDown, infraProcesses, infraUp, repoRoot, stateDir, type InfraHandle } from '@leadflow/infra';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchArgs } from './bench-args.js';
import { takeBenchLock } from './bench-lock.js';
import { measureCopyFloor } from './copy-floor.js';
import { measureKafka } from './kafka-mode.js';
import { BENCH_HEADER, generateLeadFile } from './lead-generator.js';
import type { Mode, ModeResult } from './mode-result.js';
import { cachedTree, canMeasureMemory, sharedServer } from './process-memory.js';
import { formatRun, recordRun } from './results-file.js';
import { measureStandalone } from './standalone-mode.js';

const RESULTS = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** The commit measured; "+changes" when tracked files differ from it (the results file aside). */
function commitMeasured(): string {
  const git = (...args: string[]) => spawnSync('git', ['-C', repoRoot(), ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short=10', 'HEAD').stdout.trim() || 'unknown';
  const changed = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)libs/bench/RESULTS.md').stdout.trim();
  return changed ? `${head}+changes` : head;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

async function main(args: BenchArgs, interrupted: AbortSignal): Promise<number> {
  if (!canMeasureMemory()) say('warning: /proc/<pid>/status cannot be read here; peak memory will show n/a');
  const workDir = stateDir('bench');
  mkdirSync(workDir, { recursive: true });
  const release = takeBenchLock(join(workDir, 'bench.lock'));
  try {
    return await benchOnce(args, interrupted, workDir);
  } finally {
    release();
  }
}

async function benchOnce(args: BenchArgs, interrupted: AbortSignal, workDir: string): Promise<number> {
  // Taken before the run: the code measured is the code checked out when it started.
  const commit = commitMeasured();
  const loadAtStart = load();
  const path = join(workDir, `leads-${args.rows}-seed-${args.seed}.csv`);
  say(`generating ${args.rows.toLocaleString('en-US')} rows (seed ${args.seed}) into ${path}`);
  const t0 = performance.now();
  const file = generateLeadFile({ path, rows: args.rows, seed: args.seed });
  const generatedSeconds = (performance.now() - t0) / 1000;

  let infra: InfraHandle | undefined;
  let infraFailure: string | undefined;
  const results: ModeResult[] = [];
  try {
    if (args.modes.some((m) => m !== 'standalone')) {
      try {
        infra = await infraUp((line) => say(`[infra] ${line}`));
      } catch (err) {
        infraFailure = `infrastructure did not start: ${(err as Error).message.split('\n')[0]}`;
      }
    }
    for (const mode of args.modes) {
      if (interrupted.aborted) break;
      say(`${mode}: running (bound: ${Math.round(args.timeoutMs / 1000)} s, ${Math.round(args.maxRss / 2 ** 20)} MB)`);
      const result = await measure(mode, args, file.path, workDir, infra, infraFailure, interrupted).catch(
        (err: Error): ModeResult => ({ mode, failure: err.message.split('\n')[0]! }),
      );
      say(`${mode}: ${result.failure ? `failed: ${result.failure}` : 'done'}${result.seconds ? ` after ${result.seconds.toFixed(1)} s` : ''}`);
      results.push(result);
    }
  } finally {
    if (infra && infra.started.length > 0) await infraDown(infra.started, (line) => say(`[infra] ${line}`));
    if (!args.keep) rmSync(path, { force: true });
  }
  if (interrupted.aborted) {
    say('interrupted: nothing recorded');
    return 130;
  }
  const cores = cpus();
  const run = {
    date: new Date(),
    commit,
    machine:
      `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${load()} at the end; Node ${process.version}` +
      (args.note ? `; ${args.note}` : ''),
    file,
    generatedSeconds,
    results,
  };
  say('');
  say(formatRun(run));
  if (!args.dryRun) {
    recordRun(RESULTS, run);
    say(`added to ${RESULTS}`);
  }
  return results.some((r) => r.failure) ? 1 : 0;
}

function measure(mode: Mode, args: BenchArgs, file: string, workDir: string, infra: InfraHandle | undefined, infraFailure: string | undefined, signal: AbortSignal): Promise<ModeResult> {
  const bounds = { timeoutMs: args.timeoutMs, maxRss: args.maxRss, signal };
  if (mode === 'standalone') return measureStandalone({ file, workDir, keep: args.keep, ...bounds });
  if (!infra) return Promise.resolve({ mode, failure: infraFailure ?? 'no infrastructure' });
  if (mode === 'copy') {
    const pg = infraProcesses().postgres;
    return measureCopyFloor({ file, header: BENCH_HEADER, databaseUrl: infra.env.DATABASE_URL, workDir, ...bounds, ...(pg ? { server: sharedServer(cachedTree(pg)) } : {}) });
  }
  return measureKafka({
    file, env: infra.env, ...bounds, log: say, workDir,
    httpPort: Number(process.env.HTTP_PORT ?? 8080), grpcPort: Number(process.env.GRPC_PORT ?? 50051),
  });
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  say(BENCH_USAGE);
  process.exit(0);
}
let args: BenchArgs;
try {
  args = parseBenchArgs(argv);
} catch (err) {
  if (!(err instanceof BenchUsageError)) throw err;
  process.stderr.write(`bench:pipeline: ${err.message}\n${BENCH_USAGE}\n`);
  process.exit(2);
}
// Ctrl-C or a kill: what the bench started is stopped before it exits.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());
main(args, interrupt.signal).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench:pipeline: ${err.message}\n`);
    process.exit(1);
  },
);
