import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { GeneratedFile } from './lead-generator.js';
import { formatBytes } from './measured-run.js';
import { MODE_TITLES, type ModeResult } from './mode-result.js';

/** Where each run is inserted in the results file, newest first. */
export const RUNS_MARKER = '<!-- npm run bench:pipeline inserts each run below this line, newest first -->';

export interface RunRecord {
  date: Date;
  commit: string;
  machine: string;
  file: GeneratedFile;
  generatedSeconds: number;
  results: ModeResult[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function seconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function memoryCell(r: ModeResult): string {
  return (r.memory ?? []).map(([label, bytes]) => `${label} ${bytes === undefined ? 'n/a' : formatBytes(bytes)}`).join('; ');
}

function row(r: ModeResult): string[] {
  const ok = !r.failure;
  const rate = !r.seconds || !r.rows ? '—' : ok ? int(r.rows / r.seconds) : `(${int(r.rows / r.seconds)} until it ended)`;
  const c = r.counts;
  return [
    MODE_TITLES[r.mode],
    ok ? 'ok' : `**failed**: ${r.failure}`,
    r.seconds === undefined ? '—' : seconds(r.seconds),
    rate,
    memoryCell(r) || '—',
    c ? `${int(c.accepted)} / ${int(c.invalid)} / ${int(c.duplicate)}` : r.rows !== undefined ? `${int(r.rows)} rows loaded` : '—',
  ];
}

/** One run as Markdown: the heading the history is read by, the machine, the file, the table. */
export function formatRun(run: RunRecord): string {
  const { file } = run;
  const k = file.kinds;
  const lines = [
    `### ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${int(file.rows)} rows · commit ${run.commit}`,
    '',
    `- Machine: ${run.machine}`,
    `- File: seed ${file.seed}, ${formatBytes(file.bytes)}, generated in ${seconds(run.generatedSeconds)}; injected ${int(k.exactRepeat)} verbatim, ` +
      `${int(k.retypedRepeat)} retyped and ${int(k.fuzzyRepeat)} fuzzy repeats, ${int(k.household)} household members, ${int(k.invalid)} rows without a usable contact.`,
    '',
    '| mode | result | time | rows/s | peak memory (RSS) | accepted / invalid / duplicate |',
    '|---|---|---|---|---|---|',
    ...run.results.map((r) => `| ${row(r).map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`),
    `| expected from the generator | | | | | ~${int(file.expected.accepted)} / ${int(file.expected.invalid)} / ~${int(file.expected.duplicate)} |`,
  ];
  const notes = run.results.flatMap((r) => (r.notes ?? []).map((n) => `- ${MODE_TITLES[r.mode]}: ${n}`));
  return [...lines, ...(notes.length ? ['', ...notes] : []), ''].join('\n');
}

/** Adds the run to the history in `path`, below the marker (a file without one gets it at its end). */
export function recordRun(path: string, run: RunRecord): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : `# Pipeline benchmark results\n\n${RUNS_MARKER}\n`;
  const withMarker = text.includes(RUNS_MARKER) ? text : `${text.trimEnd()}\n\n${RUNS_MARKER}\n`;
  const at = withMarker.indexOf(RUNS_MARKER) + RUNS_MARKER.length;
  writeFileSync(path, `${withMarker.slice(0, at)}\n\n${formatRun(run)}${withMarker.slice(at).replace(/^\n+/, '\n')}`);
}
