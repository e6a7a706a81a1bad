import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GeneratedFile } from './lead-generator.js';
import { recordRun, RUNS_MARKER, type RunRecord } from './results-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file: GeneratedFile = {
  path: '/tmp/x.csv', rows: 100_000, bytes: 11 * 2 ** 20, seed: 1,
  kinds: { new: 90_000, invalid: 3000, exactRepeat: 2000, retypedRepeat: 2000, fuzzyRepeat: 2000, household: 1000 },
  expected: { invalid: 3000, duplicate: 6000, accepted: 91_000 },
};
const run = (date: string, commit: string): RunRecord => ({
  date: new Date(date), commit, machine: '2 cores', file, generatedSeconds: 2,
  results: [
    { mode: 'copy', seconds: 0.15, rows: 100_000, memory: [['psql', 8 * 2 ** 20]] },
    {
      mode: 'standalone', seconds: 712, memory: [['leadflow run', 4.8 * 2 ** 30]],
      failure: 'signal SIGABRT: FATAL ERROR: Reached heap limit | Allocation failed - JavaScript heap out of memory',
    },
    {
      mode: 'kafka', seconds: 2400, rows: 593_000, counts: { rows: 593_000, accepted: 540_944, invalid: 18_145, duplicate: 33_911, suppressed: 0 },
      memory: [['8 services (sum)', 1.39 * 2 ** 30], ['Redis', undefined]], failure: 'the job did not end within 2400 s (--timeout)',
    },
  ],
});

describe('the results file', () => {
  it('keeps every run, newest first, below the marker, with date, commit, rows and the failure reason', () => {
    const path = join(dir, 'RESULTS.md');
    writeFileSync(path, `# Results\n\nHow to read them.\n\n${RUNS_MARKER}\n`);
    recordRun(path, run('2026-12-01T10:00:00Z', 'aaaaaaa'));
    recordRun(path, run('2026-12-02T11:30:00Z', 'bbbbbbb'));
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('# Results\n\nHow to read them.\n\n')).toBe(true);
    const headings = text.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual(['### 2026-12-02 11:30 UTC · 100,000 rows · commit bbbbbbb', '### 2026-12-01 10:00 UTC · 100,000 rows · commit aaaaaaa']);
    expect(text).toContain('| PostgreSQL `\\copy` (floor) | ok | 0.15 s | 666,667 | psql 8 MB | 100,000 rows loaded |');
    expect(text).toContain('| `leadflow run` (embedded) | **failed**: signal SIGABRT: FATAL ERROR: Reached heap limit \\| Allocation failed - JavaScript heap out of memory | 11 min 52 s | — | leadflow run 4.80 GB | — |');
    expect(text).toContain('| 8 services over Kafka | **failed**: the job did not end within 2400 s (--timeout) | 40 min 0 s | (247 until it ended) | 8 services (sum) 1.39 GB; Redis n/a | 540,944 / 18,145 / 33,911 |');
    expect(text).toContain('| expected from the generator | | | | | ~91,000 / 3,000 / ~6,000 |');
  });
});
