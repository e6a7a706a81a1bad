import { MODES, type Mode } from './mode-result.js';

export interface BenchArgs {
  rows: number;
  seed: number;
  modes: Mode[];
  /** Keep the generated file (and the outputs) instead of deleting them. */
  keep: boolean;
  /** Per mode. @default max(600 s, rows / 200 per s): a loaded machine runs 5 to 10 times slower than a quiet one */
  timeoutMs: number;
  /** Resident memory above which a run is killed. @default 8 GiB */
  maxRss: number;
  /** Said in the results next to the machine's figures (what else loads it). */
  note: string;
  /** Measure, print, but leave the results file alone. */
  dryRun: boolean;
}

export const BENCH_USAGE = `usage: npm run bench:pipeline -- [--rows N] [--seed N] [--only copy|standalone|kafka[,...]] [--keep]
                                  [--timeout SECONDS] [--max-rss-mb MB] [--note TEXT] [--dry-run]
  --rows N        rows of the generated lead file (default 100000)
  --seed N        seed of the generator (default 1): one seed, one file
  --only MODES    the modes to measure, comma-separated (default all three)
  --keep          keep the generated file in .leadflow/bench/ and each mode's outputs
  --timeout S     bound of each mode in seconds (default max(600, rows / 200))
  --max-rss-mb MB kill a run whose resident memory passes this (default 8192)
  --note TEXT     what the results file should say about the machine (other load, ...)
  --dry-run       print the results without adding them to libs/bench/RESULTS.md`;

export class BenchUsageError extends Error {}

function positiveInteger(flag: string, value: string | undefined): number {
  const n = Number(value?.replace(/_/g, ''));
  if (!value || !Number.isSafeInteger(n) || n <= 0) throw new BenchUsageError(`${flag} needs a positive whole number, not "${value ?? ''}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let rows = 100_000;
  let seed = 1;
  let modes: Mode[] = [...MODES];
  let keep = false;
  let timeoutMs: number | undefined;
  let maxRss = 8192 * 2 ** 20;
  let note = '';
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new BenchUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--rows': rows = positiveInteger(flag, value()); break;
      case '--seed': seed = positiveInteger(flag, value()); break;
      case '--only': {
        const asked = value().split(',').map((m) => m.trim());
        const unknown = asked.filter((m) => !(MODES as readonly string[]).includes(m));
        if (unknown.length > 0 || asked.length === 0) throw new BenchUsageError(`--only takes ${MODES.join(', ')}; not ${unknown.join(', ')}`);
        modes = MODES.filter((m) => asked.includes(m));
        break;
      }
      case '--keep': keep = true; break;
      case '--timeout': timeoutMs = positiveInteger(flag, value()) * 1000; break;
      case '--max-rss-mb': maxRss = positiveInteger(flag, value()) * 2 ** 20; break;
      case '--note': note = value(); break;
      case '--dry-run': dryRun = true; break;
      default: throw new BenchUsageError(`unknown option ${flag}`);
    }
  }
  return { rows, seed, modes, keep, timeoutMs: timeoutMs ?? Math.max(600, rows / 200) * 1000, maxRss, note, dryRun };
}
