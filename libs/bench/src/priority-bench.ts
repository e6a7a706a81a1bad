/**
 * `npm run bench:priority -- [--low-rows N] [--high-rows N] [--only kafka,serve]`: issue 12's
 * priority measured as a partner sees it. A large low-priority job is uploaded and, once rows of
 * it are stored, a small high-priority one; the bench times the high job from its upload to its
 * completion, and how long the low job still needed then (the goal: a small fraction of it).
 * Adds the run to libs/bench/PRIORITY.md.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot, stateDir } from '@leadflow/infra';
import { takeBenchLock } from './bench-lock.js';
import { startKafkaTarget, startServeTarget, type BenchTarget } from './bench-targets.js';
import { generateLeadFile } from './lead-generator.js';

const RESULTS = fileURLToPath(new URL('../PRIORITY.md', import.meta.url));
const MARKER = '<!-- npm run bench:priority inserts each run below this line, newest first -->';
const MODES = ['kafka', 'serve'] as const;
type Mode = (typeof MODES)[number];
const TITLES: Record<Mode, string> = { kafka: 'Kafka mode (8 services)', serve: '`leadflow serve`' };
const say = (line: string) => process.stdout.write(`${line}\n`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

interface Args { lowRows: number; highRows: number; modes: Mode[]; seed: number; note: string; timeoutS: number }

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { lowRows: 200_000, highRows: 1_000, modes: ['kafka'], seed: 1, note: '', timeoutS: 3600 };
  const whole = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} needs a positive whole number, not "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = () => argv[++i];
    if (flag === '--low-rows') a.lowRows = whole(flag, v());
    else if (flag === '--high-rows') a.highRows = whole(flag, v());
    else if (flag === '--seed') a.seed = whole(flag, v());
    else if (flag === '--timeout') a.timeoutS = whole(flag, v());
    else if (flag === '--note') a.note = v() ?? '';
    else if (flag === '--only') {
      const asked = (v() ?? '').split(',').map((m) => m.trim());
      if (asked.some((m) => !(MODES as readonly string[]).includes(m))) throw new Error(`--only takes ${MODES.join(', ')}`);
      a.modes = MODES.filter((m) => asked.includes(m));
    } else throw new Error(`unknown option ${flag}\nusage: npm run bench:priority -- [--low-rows N] [--high-rows N] [--only kafka,serve] [--seed N] [--timeout S] [--note TEXT]`);
  }
  return a;
}

type Target = BenchTarget;

/** curl sends the whole file and then reads the answer (Node's fetch may stop sending once answered: docs/upload-now.md). */
async function upload(t: Target, file: string, priority: string): Promise<string> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-H', `authorization: Bearer ${t.key}`, '-F', `priority=${priority}`, '-F', `file=@${file};type=text/csv`, `${t.base}/v1/jobs`], { maxBuffer: 1 << 20, timeout: 600_000 });
  const job = JSON.parse(stdout) as { id?: string };
  if (!job.id) throw new Error(`upload ${priority} answered ${stdout.slice(0, 200)}`);
  return job.id;
}

interface Job { status: string; counts: { accepted: number; invalid: number; duplicate: number; suppressed: number; rows: number } }
const filed = (j: Job) => j.counts.accepted + j.counts.invalid + j.counts.duplicate + j.counts.suppressed;
const ended = (j: Job) => ['completed', 'failed', 'cancelled'].includes(j.status);

interface Measured { highSeconds: number; lowLeftSeconds: number; lowAtHighStart: number; lowAtHighEnd: number; high: Job; low: Job }

async function measure(t: Target, files: { low: string; high: string }, a: Args): Promise<Measured> {
  const job = async (id: string) => (await (await fetch(`${t.base}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${t.key}` } })).json()) as Job;
  const deadline = Date.now() + a.timeoutS * 1000;
  const poll = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const lowId = await upload(t, files.low, 'low');
  say('low job uploaded; waiting for its first rows stored');
  await poll('the low job to run', async () => (filed(await job(lowId)) > 0 ? true : undefined));
  const started = performance.now();
  const highId = await upload(t, files.high, 'high');
  const lowAtHighStart = filed(await job(lowId));
  say(`high job uploaded (low job at ${lowAtHighStart} rows)`);
  const high = await poll('the high job to end', async () => { const h = await job(highId); return ended(h) ? h : undefined; });
  const highSeconds = (performance.now() - started) / 1000;
  const lowAtHighEnd = filed(await job(lowId));
  say(`high job ${high.status} in ${highSeconds.toFixed(1)} s (low job at ${lowAtHighEnd} rows)`);
  const highEnded = performance.now();
  const low = await poll('the low job to end', async () => { const l = await job(lowId); return ended(l) ? l : undefined; });
  return { highSeconds, lowLeftSeconds: (performance.now() - highEnded) / 1000, lowAtHighStart, lowAtHighEnd, high, low };
}

async function main(a: Args): Promise<number> {
  const workDir = stateDir('bench');
  mkdirSync(workDir, { recursive: true });
  const release = takeBenchLock(join(workDir, 'bench.lock'));
  try {
    const loadStart = load();
    const low = generateLeadFile({ path: join(workDir, `priority-low-${a.lowRows}.csv`), rows: a.lowRows, seed: a.seed });
    const high = generateLeadFile({ path: join(workDir, `priority-high-${a.highRows}.csv`), rows: a.highRows, seed: a.seed + 1 });
    const rows: string[] = [];
    for (const mode of a.modes) {
      let t: Target | undefined;
      try {
        say(`${mode}: starting`);
        t = mode === 'kafka' ? await startKafkaTarget('bench:priority', say) : await startServeTarget(workDir, 'bench:priority');
        const m = await measure(t, { low: low.path, high: high.path }, a);
        const share = (100 * m.highSeconds) / (m.highSeconds + m.lowLeftSeconds);
        rows.push(`| ${TITLES[mode]} | ${m.high.status}, ${filed(m.high).toLocaleString('en-US')} rows | ${m.highSeconds.toFixed(1)} s | ${m.lowLeftSeconds.toFixed(1)} s | ${share.toFixed(1)} % | ${m.lowAtHighStart.toLocaleString('en-US')} → ${m.lowAtHighEnd.toLocaleString('en-US')} | ${m.low.status}, ${filed(m.low).toLocaleString('en-US')} rows |`);
        say(`${mode}: high ${m.highSeconds.toFixed(1)} s; the low job then still needed ${m.lowLeftSeconds.toFixed(1)} s`);
      } catch (err) {
        rows.push(`| ${TITLES[mode]} | **failed**: ${(err as Error).message.split('\n')[0]!.replace(/\|/g, '\\|')} | | | | | |`);
        say(`${mode}: failed: ${(err as Error).message}`);
      } finally {
        await t?.stop();
      }
    }
    const git = (...g: string[]) => spawnSync('git', ['-C', repoRoot(), ...g], { encoding: 'utf8' }).stdout.trim();
    const text = [
      `### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · ${a.lowRows.toLocaleString('en-US')}-row low job, ${a.highRows.toLocaleString('en-US')}-row high job · commit ${git('rev-parse', '--short=10', 'HEAD')}`,
      '',
      `- Machine: ${cpus().length} cores; load average (1 / 5 / 15 min) ${loadStart} at the start, ${load()} at the end; Node ${process.version}.${a.note ? ` ${a.note}` : ''}`,
      '',
      '| mode | high job | high job: upload to end | low job still needed after it | high / (high + low left) | low job rows filed while the high ran | low job |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
    say(text);
    const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : `# Priority benchmark results\n\n${MARKER}\n`;
    const at = current.indexOf(MARKER) + MARKER.length;
    writeFileSync(RESULTS, `${current.slice(0, at)}\n\n${text}${current.slice(at).replace(/^\n+/, '\n')}`);
    return rows.some((r) => r.includes('**failed**')) ? 1 : 0;
  } finally {
    release();
  }
}

main(parseArgs(process.argv.slice(2))).then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`bench:priority: ${err.message}\n`);
  process.exit(2);
});
