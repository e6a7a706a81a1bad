#!/usr/bin/env node
// Mapping benchmark: accuracy of column mapping on the labelled header corpora, wrong mappings
// above 0.9 confidence, the time to map a file's columns, and the throughput of the mapping
// stage (normalization) per core.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { RowBatch } from '@leadflow/proto';
import { matchHeaderName } from '../header-names.js';
import { mapColumns } from '../map-columns.js';
import { createMappingStage } from '../mapping-stage.js';
import { parsePhone } from '../normalize.js';
import { columnValues, expectedField, seeded } from './corpus-values.js';

interface CorpusFile {
  file: string;
  /** Whose values the columns hold (corpus-locales.ts). @default 'us' */
  locale?: string;
  /** The default region of the deployment that reads the file, for phone numbers. @default 'US' */
  region?: string;
  columns: { header: string; label: string }[];
}

const load = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../bench/${name}`, import.meta.url)), 'utf8')) as CorpusFile[];
const SAMPLE_ROWS = 200;

/** Each file's headers and sampled column values, generated once. */
function prepare(corpus: CorpusFile[]) {
  return corpus.map((f, fi) => ({
    file: f,
    headers: f.columns.map((c) => c.header),
    values: f.columns.map((c, ci) => columnValues(f.locale ?? 'us', c.header, c.label, SAMPLE_ROWS, 1000 * fi + ci + 1)),
  }));
}

/** Maps every file of a corpus and counts right columns and confident mistakes. */
function measure(name: string, corpus: ReturnType<typeof prepare>) {
  let total = 0;
  let right = 0;
  let wrongConfident = 0;
  const mistakes: string[] = [];
  for (const { file: f, headers, values } of corpus) {
    const decisions = mapColumns(headers, values, { region: f.region ?? 'US' });
    f.columns.forEach((c, ci) => {
      const expected = expectedField(c.label);
      const got = decisions[ci]!;
      total++;
      if (got.field === expected) right++;
      else {
        if (got.confidence > 0.9) wrongConfident++;
        mistakes.push(`${name} ${f.file}: "${c.header}" -> ${got.field} (${got.confidence}), expected ${expected}; ${got.evidence.map((e) => e.detail).join('; ')}`);
      }
    });
  }
  return { name, files: corpus.length, total, right, wrongConfident, mistakes };
}

// The development corpus and the real-export tuning corpus were tuned on; the two holdouts
// were written before the mapper first ran on them and are not tuned on. The export corpora
// are split by product: a product's layouts are all on one side.
const corpora = [
  ['development', 'header-corpus.json'],
  ['holdout', 'header-corpus-holdout.json'],
  ['exports, tuning', 'header-corpus-exports.json'],
  ['exports, holdout', 'header-corpus-exports-holdout.json'],
].map(([name, file]) => ({ name: name!, files: prepare(load(file!)) }));
const results = corpora.map((c) => measure(c.name, c.files));

// Mapping a file's columns, header and values, as the stage does once a job.
const allFiles = corpora.flatMap((c) => c.files);
const columnCount = allFiles.reduce((n, f) => n + f.headers.length, 0);
for (const f of allFiles) mapColumns(f.headers, f.values, { region: f.file.region ?? 'US' });
const MAP_REPEATS = 3;
const tMap = performance.now();
for (let i = 0; i < MAP_REPEATS; i++) for (const f of allFiles) mapColumns(f.headers, f.values, { region: f.file.region ?? 'US' });
const mapMicrosPerColumn = ((performance.now() - tMap) * 1000) / (MAP_REPEATS * columnCount);

// Reading the headers alone, without the values: the part the header vocabulary costs.
const allHeaders = allFiles.flatMap((f) => f.headers);
for (const h of allHeaders) matchHeaderName(h);
const NAME_REPEATS = 20;
const tNames = performance.now();
for (let i = 0; i < NAME_REPEATS; i++) for (const h of allHeaders) matchHeaderName(h);
const nameMicrosPerHeader = ((performance.now() - tNames) * 1000) / (NAME_REPEATS * allHeaders.length);

// Throughput of the mapping stage over generated rows (normalization, validation, no I/O).
const r = seeded(42);
const header = ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'Street', 'City', 'State', 'Zip'];
const ROWS = 50_000;
const rows = Array.from({ length: ROWS }, (_, i) => ({
  rowNumber: i + 1,
  cells: [
    r.pick(['ann', 'BOB', ' Carla ']), r.pick(['Lee', "o'brien", 'MACDONALD']), `User${i}@Example.COM`,
    `(${r.pick(['201', '212', '415'])}) ${r.int(200, 989)}-${String(r.int(0, 9999)).padStart(4, '0')}`,
    'Acme Inc', `${r.int(1, 999)} Main St`, 'Boston', r.pick(['MA', 'Massachusetts']), String(r.int(1000, 99999)).padStart(5, '0'),
  ],
}));
const stage = createMappingStage();
const job = { jobId: 'bench', tenantId: 't', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false };
// One pass to warm the JIT, then the timed one.
for (let i = 0; i < 10_000; i += 500) {
  await stage({ job: { ...job, jobId: 'warm-up' }, seq: i / 500, header, rows: rows.slice(i, i + 500), last: false, totalRows: 0, failure: undefined, decision: undefined });
}
const t0 = performance.now();
for (let i = 0; i < ROWS; i += 500) {
  const batch: RowBatch = { job, seq: i / 500, header, rows: rows.slice(i, i + 500), last: false, totalRows: 0, failure: undefined, decision: undefined };
  await stage(batch);
}
const stageSeconds = (performance.now() - t0) / 1000;

const phones = rows.map((row) => row.cells[3]!);
const microsPer = (fn: (p: string) => unknown) => {
  for (const p of phones.slice(0, 2000)) fn(p);
  const t = performance.now();
  for (const p of phones) fn(p);
  return ((performance.now() - t) * 1000) / phones.length;
};
const phoneMicros = microsPer((p) => {
  const parsed = parsePhoneNumberFromString(p, 'US');
  return parsed?.isValid() && parsed.getType();
});
const fastMicros = microsPer((p) => parsePhone(p, 'US'));

const pctRight = (m: { right: number; total: number }) => ((m.right / m.total) * 100).toFixed(1);
for (const m of results) {
  console.log(`mapping accuracy, ${`${m.name} corpus:`.padEnd(25)} ${pctRight(m)}% right (${m.right}/${m.total} columns in ${m.files} files), ${m.wrongConfident} wrong above 0.9 confidence`);
}
console.log(`header names: ${nameMicrosPerHeader.toFixed(1)} µs per header (${allHeaders.length} headers)`);
console.log(`column mapping: ${mapMicrosPerColumn.toFixed(0)} µs per column, names and values (${allFiles.length} files, ${columnCount} columns, ${SAMPLE_ROWS} values each)`);
console.log(`mapping stage: ${Math.round(ROWS / stageSeconds).toLocaleString('en-US')} rows/s on one core (${ROWS} rows, 9 columns)`);
console.log(`phone, libphonenumber-js full parse + validate + type: ${phoneMicros.toFixed(1)} µs per number`);
console.log(`phone, parsePhone (common forms built from digits, same metadata): ${fastMicros.toFixed(1)} µs per number`);
const mistakes = results.flatMap((m) => m.mistakes);
if (mistakes.length > 0) console.log(`\nmistakes:\n  ${mistakes.join('\n  ')}`);
// Issue 3's goal, on the project's own corpora: at least 97% right, none wrong above 0.9.
// The export corpora are reported beside it, not held to it.
const goal = results.slice(0, 2).reduce(
  (a, m) => ({ right: a.right + m.right, total: a.total + m.total, wrongConfident: a.wrongConfident + m.wrongConfident }),
  { right: 0, total: 0, wrongConfident: 0 },
);
process.exitCode = goal.right / goal.total >= 0.97 && goal.wrongConfident === 0 ? 0 : 1;
