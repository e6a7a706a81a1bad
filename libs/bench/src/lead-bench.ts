/**
 * `npm run bench:leads -- [--leads N] [--concurrency C] [--only serve,kafka]`: the latency of
 * POST /v1/leads as a partner's client sees it, in `leadflow serve` and in Kafka mode: N leads one
 * after another, then N more C at a time, each timed from its request to its answer. Prints
 * p50 / p95 / p99 against the goals (issue 12: 50 ms in serve, 250 ms in Kafka mode) and adds the
 * run to libs/bench/LEADS-RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, stateDir } from '@leadflow/infra';
import { takeBenchLock } from './bench-lock.js';
import { startKafkaTarget, startServeTarget, type BenchTarget } from './bench-targets.js';
import { sendLeads, type LatencySummary, type SeriesResult } from './lead-latency.js';
import { cpuSeconds } from './process-cpu.js';
import { formLeads } from './single-leads.js';

const RESULTS = fileURLToPath(new URL('../LEADS-RESULTS.md', import.meta.url));
const MARKER = '<!-- npm run bench:leads inserts each run below this line, newest first -->';
const MODES = ['serve', 'kafka'] as const;
type Mode = (typeof MODES)[number];
/** p99 goals of issue 12, ms. */
const GOALS: Record<Mode, number> = { serve: 50, kafka: 250 };
const TITLES: Record<Mode, string> = { serve: '`leadflow serve`', kafka: 'Kafka mode (8 services)' };
/** What each lead may wait for its answer: long enough that every answer is the lead's, never the job's. */
const WAIT_MS = 30_000;

const USAGE = `usage: npm run bench:leads -- [--leads N] [--concurrency C] [--only serve|kafka[,...]] [--seed N] [--note TEXT] [--dry-run]
  --leads N        leads of each series (default 1000): N one after another, then N more C at a time
  --concurrency C  requests in flight at once in the second series (default 8)
  --only MODES     serve, kafka or both (default both)
  --seed N         seed of the generated leads (default 1)
  --note TEXT      what the results file should say about the machine (other load, ...)
  --dry-run        print the results without adding them to libs/bench/LEADS-RESULTS.md
HTTP_PORT and GRPC_PORT (default 8080, 50051) are where the gateway listens; Kafka mode uses the
infrastructure of npm run infra (LEADFLOW_*_PORT).`;

interface Args {
  leads: number;
  concurrency: number;
  modes: Mode[];
  seed: number;
  note: string;
  dryRun: boolean;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { leads: 1000, concurrency: 8, modes: [...MODES], seed: 1, note: '', dryRun: false };
  const whole = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} needs a positive whole number, not "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i];
    switch (flag) {
      case '--leads': args.leads = whole(flag, value()); break;
      case '--concurrency': args.concurrency = whole(flag, value()); break;
      case '--seed': args.seed = whole(flag, value()); break;
      case '--note': args.note = value() ?? ''; break;
      case '--dry-run': args.dryRun = true; break;
      case '--only': {
        const asked = (value() ?? '').split(',').map((m) => m.trim());
        const unknown = asked.filter((m) => !(MODES as readonly string[]).includes(m));
        if (unknown.length > 0) throw new Error(`--only takes ${MODES.join(', ')}; not ${unknown.join(', ')}`);
        args.modes = MODES.filter((m) => asked.includes(m));
        break;
      }
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

/** A gateway that takes leads, and how to stop it and everything it needed. */
type Target = BenchTarget;

/**
 * Leads until one is answered within the wait, then 50 more: consumer groups join and partitions
 * are assigned on a new broker (tens of seconds that say nothing of a lead's latency), the
 * database's caches fill. Not counted.
 */
async function warmUp(target: Target, seed: number, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const leads = formLeads(200, seed + 1000, 'warm');
  for (let i = 0; i < 10; i++) {
    const { answers } = await sendLeads({ ...target, leads: leads.slice(i, i + 1), concurrency: 1, waitMs: WAIT_MS, signal });
    if (Object.keys(answers).some((a) => a.startsWith('200'))) break;
  }
  await sendLeads({ ...target, leads: leads.slice(10, 60), concurrency: 1, waitMs: WAIT_MS, signal });
  return (performance.now() - started) / 1000;
}

interface ModeRun {
  mode: Mode;
  series: { label: string; result: SeriesResult; cpuMsPerLead: number }[];
  warmSeconds?: number;
  failure?: string;
}

async function measure(mode: Mode, args: Args, workDir: string, signal: AbortSignal): Promise<ModeRun> {
  let target: Target | undefined;
  try {
    target = mode === 'serve' ? await startServeTarget(workDir, 'bench:leads', signal) : await startKafkaTarget('bench:leads', say);
    say(`${mode}: warming up`);
    const warmSeconds = await warmUp(target, args.seed, signal);
    const run = `${mode}${Date.now()}`;
    const series: ModeRun['series'] = [];
    for (const [label, concurrency, seed] of [['one at a time', 1, args.seed], [`${args.concurrency} at once`, args.concurrency, args.seed + 1]] as const) {
      say(`${mode}: ${args.leads} leads, ${label}`);
      const leads = formLeads(args.leads, seed, `${run}s${concurrency}`);
      const cpuBefore = cpuSeconds(target.pids);
      const result = await sendLeads({ ...target, leads, concurrency, waitMs: WAIT_MS, signal });
      series.push({ label, result, cpuMsPerLead: ((cpuSeconds(target.pids) - cpuBefore) * 1000) / leads.length });
    }
    return { mode, series, warmSeconds };
  } catch (err) {
    return { mode, series: [], failure: (err as Error).message.split('\n')[0] };
  } finally {
    await target?.stop();
  }
}

const ms = (n: number) => (Number.isNaN(n) ? '—' : n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`);
const answersOf = (a: Record<string, number>) => Object.entries(a).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${n} ${k}`).join(', ');
const verdict = (mode: Mode, s: LatencySummary) => (s.p99 <= GOALS[mode] ? `met (≤ ${GOALS[mode]} ms)` : `**missed** (goal ≤ ${GOALS[mode]} ms)`);

function formatRun(runs: ModeRun[], args: Args, machine: string, commit: string): string {
  const lines = [
    `### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${args.leads.toLocaleString('en-US')} leads a series · commit ${commit}`,
    '',
    `- Machine: ${machine}`,
    '',
    '| mode | series | leads | jobs | p50 | p95 | p99 | max | leads/s | CPU per lead | p99 goal | answers |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const run of runs) {
    if (run.failure) lines.push(`| ${TITLES[run.mode]} | **failed**: ${run.failure.replace(/\|/g, '\\|')} | | | | | | | | | | |`);
    for (const { label, result: { summary: s, answers, jobs }, cpuMsPerLead } of run.series) {
      lines.push(`| ${TITLES[run.mode]} | ${label} | ${s.count} | ${jobs} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.perSecond.toFixed(0)} | ${ms(cpuMsPerLead)} | ${verdict(run.mode, s)} | ${answersOf(answers)} |`);
    }
  }
  lines.push(
    '',
    `- CPU per lead: user and system time of Leadflow's processes over the series, divided by its leads (${runs.map((r) => `${TITLES[r.mode]}: ${r.mode === 'serve' ? 'the one process, its embedded database included' : 'the eight services, not Kafka, PostgreSQL or Redis'}`).join('; ')}). The machine's other load stretches the wall clock, not this.`,
  );
  lines.push('', ...runs.filter((r) => r.warmSeconds !== undefined).map((r) => `- ${TITLES[r.mode]}: started, then warmed up with 50+ leads in ${r.warmSeconds!.toFixed(1)} s (not counted).`), '');
  return lines.join('\n');
}

function record(text: string): void {
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : `# Single-lead latency results\n\n${MARKER}\n`;
  const at = current.indexOf(MARKER) + MARKER.length;
  writeFileSync(RESULTS, `${current.slice(0, at)}\n\n${text}${current.slice(at).replace(/^\n+/, '\n')}`);
}

function commitMeasured(): string {
  const git = (...a: string[]) => spawnSync('git', ['-C', repoRoot(), ...a], { encoding: 'utf8' }).stdout.trim();
  const head = git('rev-parse', '--short=10', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)libs/bench/LEADS-RESULTS.md') ? `${head}+changes` : head;
}

async function main(args: Args, signal: AbortSignal): Promise<number> {
  const workDir = stateDir('bench');
  mkdirSync(workDir, { recursive: true });
  const release = takeBenchLock(join(workDir, 'bench.lock'));
  try {
    const commit = commitMeasured();
    const loadAtStart = load();
    const runs: ModeRun[] = [];
    for (const mode of args.modes) {
      if (signal.aborted) break;
      runs.push(await measure(mode, args, workDir, signal));
      say(`${mode}: ${runs.at(-1)!.failure ? `failed: ${runs.at(-1)!.failure}` : 'done'}`);
    }
    if (signal.aborted) {
      say('interrupted: nothing recorded');
      return 130;
    }
    const cores = cpus();
    const machine =
      `${cores.length} cores (${cores[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${load()} at the end; Node ${process.version}` + (args.note ? `; ${args.note}` : '');
    const text = formatRun(runs, args, machine, commit);
    say('');
    say(text);
    if (!args.dryRun) {
      record(text);
      say(`added to ${RESULTS}`);
    }
    return runs.some((r) => r.failure) ? 1 : 0;
  } finally {
    release();
  }
}

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  say(USAGE);
  process.exit(0);
}
let args: Args;
try {
  args = parseArgs(argv);
} catch (err) {
  process.stderr.write(`bench:leads: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
// Ctrl-C or a kill: what the bench started is stopped before it exits.
const interrupt = new AbortController();
for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => interrupt.abort());
main(args, interrupt.signal).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench:leads: ${err.message}\n`);
    process.exit(1);
  },
);
