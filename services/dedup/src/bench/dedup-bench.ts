/**
 * `npm run bench:dedup`: how well and how fast the dedup stage finds duplicates.
 *
 * 1. Quality: precision, recall and F1 of duplicate pairs on the FEBRL data sets (read as a
 *    supplier file through ingest and mapping; date of birth and ID are mapped to extra and not
 *    matched on), inside one file and against stored leads, and on a generated lead file with
 *    known duplicates (typos, nicknames, reformatted phones, email aliases) and households that
 *    are not duplicates.
 * 2. Speed: rows per second of the stage on one core, and the time per batch of 500 rows
 *    against 10 thousand, 100 thousand and 1 million stored leads in PostgreSQL and the Redis
 *    index (started as `npm run infra -- up` would). `--quick` stops at 100 thousand;
 *    `--quality` measures only the first part (no services needed, results file untouched);
 *    with `--sql` it uses the index and claims of standalone mode (tables of the embedded
 *    database) instead of the in-memory ones: the same figures, at another speed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { infraDown, infraUp } from '@leadflow/infra';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { createSqlLeadStore, migrations } from '@leadflow/persistence';
import { Disposition, type Lead, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { createMemoryFingerprintStore, createPglite, createPostgres, createRedis, createRedisFingerprintStore, migrate, type SqlClient } from '@leadflow/stores';
import { generateLeadFile, tempDir } from '@leadflow/testkit';
import { writeFileSync } from 'node:fs';
import { createDedupStage } from '../dedup-stage.js';
import { createMemoryCandidateIndex, type CandidateIndex } from '../matching/candidate-index.js';
import { blockingKeys } from '../matching/blocking.js';
import { comparePair } from '../matching/compare.js';
import { toMatchRecord } from '../matching/record.js';
import { createRedisCandidateIndex } from '../matching/redis-candidate-index.js';
import { createSqlCandidateIndex } from '../matching/sql-candidate-index.js';
import { migrations as dedupMigrations } from '../index.js';
import { createSqlFingerprintStore } from '../sql-fingerprint-store.js';
import { createSqlStoredLeads } from '../stored-leads.js';
import { mappedRows, pairScores } from './febrl.js';

const quick = process.argv.includes('--quick');
const qualityOnly = process.argv.includes('--quality');
const sqlStores = process.argv.includes('--sql');
const indexKind = sqlStores ? 'SQL index of standalone mode' : 'in-memory index';
// The public data sets ship with the bench (services/dedup/bench/febrl); FEBRL_DIR points elsewhere.
const datasets = process.env.FEBRL_DIR || fileURLToPath(new URL('../../bench/febrl/', import.meta.url));
const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const fmt = (s: ReturnType<typeof pairScores>) =>
  `precision ${pct(s.precision)}, recall ${pct(s.recall)}, F1 ${s.f1.toFixed(4)} (${s.correct} of ${s.predicted} predicted pairs right, ${s.truePairs} true pairs)`;

function batches(rows: readonly LeadRow[], jobId: string, tenantId: string, size = 500): LeadBatch[] {
  const out: LeadBatch[] = [];
  for (let i = 0; i < rows.length; i += size) {
    out.push({
      job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
      seq: i / size, header: [], mapping: [], rows: rows.slice(i, i + size), last: i + size >= rows.length, totalRows: rows.length, failure: undefined,
    });
  }
  return out;
}

/** Runs rows through a fresh dedup stage over `db`, as one job; returns the rows as marked. */
async function dedupe(db: SqlClient, rows: LeadRow[], jobId: string, tenantId = 'bench') {
  let stores: Pick<Parameters<typeof createDedupStage>[0], 'fingerprints' | 'index'> = { fingerprints: createMemoryFingerprintStore(), index: createMemoryCandidateIndex() };
  if (sqlStores) {
    // Fresh for each run, as the in-memory ones: built again from the stored leads.
    await migrate(db, dedupMigrations);
    stores = { fingerprints: createSqlFingerprintStore(db), index: createSqlCandidateIndex(db) };
    await stores.fingerprints.clear();
    await stores.index!.clear();
  }
  const stage = createDedupStage({ ...stores, leads: createSqlStoredLeads(db) });
  const marked: LeadRow[] = [];
  const started = performance.now();
  for (const b of batches(rows.map((r) => ({ ...r, leadId: leadIdFor(jobId, r.rowNumber), reasons: [...r.reasons], tags: [] })), jobId, tenantId)) {
    marked.push(...(await stage(b)).rows);
  }
  return { marked, seconds: (performance.now() - started) / 1000 };
}

/**
 * The matcher's own cost: microseconds a comparison over the pairs blocking gives (the first 10
 * rows of each block, every pair among them), the best of three rounds.
 */
function comparisonSpeed(rows: readonly LeadRow[]): { micros: number; pairs: number } {
  const records = rows.map((r) => toMatchRecord(r.lead!));
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const key of blockingKeys(r)) (blocks.get(key) ?? blocks.set(key, []).get(key)!).push(i);
  });
  const pairs: [number, number][] = [];
  for (const ids of blocks.values()) {
    const some = ids.slice(0, 10);
    some.forEach((a, i) => some.slice(i + 1).forEach((b) => pairs.push([a, b])));
  }
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (const [a, b] of pairs) comparePair(records[a]!, records[b]!);
    best = Math.min(best, performance.now() - started);
  }
  return { micros: (best * 1000) / pairs.length, pairs: pairs.length };
}

/** What a row was found a duplicate of (a possible duplicate's match is a question, not a link). */
const dupOf = (row: LeadRow) => (row.disposition === Disposition.DISPOSITION_DUPLICATE ? row.match : undefined);

const entityOf = (row: LeadRow) => /^rec-(\d+)/.exec(row.lead!.extra.rec_id ?? '')?.[1] ?? `row-${row.rowNumber}`;

async function febrl(file: string) {
  const rows = await mappedRows(join(datasets, file));
  const db = await createPglite();
  await migrate(db, migrations);
  const { marked, seconds } = await dedupe(db, rows, 'febrl');
  const index = new Map(marked.map((r, i) => [r.rowNumber, i]));
  const links = marked.flatMap((r, i): [number, number][] => (dupOf(r)?.matchedRow ? [[i, index.get(dupOf(r)!.matchedRow)!]] : []));
  say(`FEBRL ${file} (${rows.length} rows), in one file: ${fmt(pairScores(marked.map(entityOf), links))}`);
  const flagged = marked.filter((r) => r.match?.matchType === 'possible');
  const same = flagged.filter((r) => entityOf(r) === entityOf(marked[index.get(r.match!.matchedRow)!]!)).length;
  say(`  flagged for review as possible duplicates: ${flagged.length} rows, ${same} of them truly the same person as the row named`);
  say(`  dedup stage: ${Math.round(rows.length / seconds).toLocaleString('en-US')} rows/s on one core (${indexKind})`);
  const speed = comparisonSpeed(rows);
  say(`  comparisons: ${speed.micros.toFixed(1)} µs each (${speed.pairs.toLocaleString('en-US')} pairs of rows that share a block)`);

  // The originals stored by one job, the copies sent by the next: matched against stored leads.
  const originals = rows.filter((r) => /-org$/.test(r.lead!.extra.rec_id ?? ''));
  const copies = rows.filter((r) => !/-org$/.test(r.lead!.extra.rec_id ?? ''));
  const first = await dedupe(db, originals, 'febrl-originals', 'stored');
  await createSqlLeadStore(db).storeBatch(batches(first.marked, 'febrl-originals', 'stored', first.marked.length)[0]!);
  const second = await dedupe(db, copies, 'febrl-copies', 'stored');
  const all = [...first.marked, ...second.marked];
  const byLead = new Map(first.marked.map((r, i) => [leadIdFor('febrl-originals', r.rowNumber), i]));
  const byRow = new Map(second.marked.map((r, i) => [r.rowNumber, first.marked.length + i]));
  const rowOf = new Map(first.marked.map((r, i) => [r.rowNumber, i]));
  const storedLinks: [number, number][] = [];
  first.marked.forEach((r, i) => dupOf(r)?.matchedRow && storedLinks.push([i, rowOf.get(dupOf(r)!.matchedRow)!]));
  second.marked.forEach((r, i) => {
    const m = dupOf(r);
    const target = m?.matchedLeadId ? byLead.get(m.matchedLeadId) : m?.matchedRow ? byRow.get(m.matchedRow) : undefined;
    if (target !== undefined) storedLinks.push([first.marked.length + i, target]);
  });
  say(`FEBRL ${file}, originals stored first, copies against them: ${fmt(pairScores(all.map(entityOf), storedLinks))}`);
  await db.close();
}

async function generated() {
  const file = generateLeadFile({ seed: 20_261_123, rows: 5000 });
  const path = join(tempDir('dedup-bench-'), 'leads.csv');
  writeFileSync(path, file.csv);
  const rows = await mappedRows(path);
  const db = await createPglite();
  await migrate(db, migrations);
  const { marked, seconds } = await dedupe(db, rows, 'generated');
  // Only rows the file means as duplicates or leads: invalid rows never reach dedup.
  const entity = file.rows.map((r) => String(r.row));
  const find = (i: number): number => {
    const d = file.rows[i]!.duplicateOf;
    return d && 'row' in d ? find(d.row - 1) : i;
  };
  file.rows.forEach((_, i) => (entity[i] = String(find(i))));
  const links = marked.flatMap((r): [number, number][] => (dupOf(r)?.matchedRow ? [[r.rowNumber - 1, dupOf(r)!.matchedRow - 1]] : []));
  const scores = pairScores(entity, links);
  const fuzzy = file.rows.filter((r) => r.matchType === 'fuzzy').length;
  const households = file.rows.filter((r) => r.kind.startsWith('household')).length;
  const merged = marked.filter((r) => r.disposition === Disposition.DISPOSITION_DUPLICATE && file.rows[r.rowNumber - 1]!.kind.startsWith('household')).length;
  say(`generated lead file (5000 rows, ${fuzzy} fuzzy copies, ${households} household members who are not duplicates): ${fmt(scores)}; households taken for duplicates: ${merged}`);
  say(`  dedup stage: ${Math.round(rows.length / seconds).toLocaleString('en-US')} rows/s on one core (${indexKind})`);
  await db.close();
}

// --- Scale: stored leads in PostgreSQL and the Redis index -----------------------------------

const SYLLABLES = ['an', 'bel', 'cor', 'da', 'el', 'fin', 'gor', 'ha', 'is', 'jo', 'ka', 'lin', 'mar', 'nor', 'ol', 'pe', 'qui', 'ros', 'sa', 'tor', 'ul', 'ver', 'wen', 'xi', 'yo', 'zan'];
const word = (n: number, parts: number) => {
  let w = '';
  for (let i = 0; i < parts; i++, n = Math.floor(n / SYLLABLES.length)) w += SYLLABLES[n % SYLLABLES.length];
  return w[0]!.toUpperCase() + w.slice(1);
};
/** Stored person i: 676 given names, 17,576 surnames, 676 streets in 676 towns; deterministic. */
const person = (i: number) => {
  const h = (i * 2_654_435_761) >>> 0;
  return {
    firstName: word(h % 676, 2), lastName: word((h >>> 10) % 17_576, 3), street: `${1 + (i % 997)} ${word((h >>> 3) % 676, 2)} Street`,
    city: word((i * 7 + 3) % 676, 2), postalCode: String(10_000 + ((i * 31) % 89_999)), email: `p${i}@example.com`, phone: '',
  };
};

const EMPTY: Lead = emptyLead();

async function fill(db: SqlClient, tenantId: string, from: number, to: number) {
  for (let start = from; start < to; start += 10_000) {
    const ids = Array.from({ length: Math.min(10_000, to - start) }, (_, k) => start + k);
    const ps = ids.map(person);
    await db.query(
      `INSERT INTO leads (id, tenant_id, job_id, row_number, first_name, last_name, full_name, email, email_key, street, city, postal_code, country)
       SELECT gen_random_uuid(), $1, 'stored-' || $1, n, f, l, f || ' ' || l, e, e, s, c, p, 'US'
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(n, f, l, e, s, c, p)`,
      [tenantId, ids, ps.map((p) => p.firstName), ps.map((p) => p.lastName), ps.map((p) => p.email), ps.map((p) => p.street), ps.map((p) => p.city), ps.map((p) => p.postalCode)],
    );
  }
}

/** A batch of 500: 400 new people, 50 copies of stored ones with a typo, 50 with a stored email. */
function mixedBatch(jobId: string, tenantId: string, stored: number, seq: number): LeadBatch {
  const rows: LeadRow[] = [];
  for (let k = 0; k < 500; k++) {
    const rowNumber = seq * 500 + k + 1;
    let lead: Partial<Lead>;
    if (k % 10 === 0) {
      const p = person((rowNumber * 7919) % stored);
      lead = { ...p, email: `other${rowNumber}@example.org`, lastName: p.lastName.slice(0, -1) + 'x' };
    } else if (k % 10 === 1) {
      lead = { ...person(rowNumber + 10_000_000), email: person((rowNumber * 104_729) % stored).email };
    } else {
      lead = { ...person(rowNumber + 20_000_000), email: `new${rowNumber}.${jobId}@example.net` };
    }
    rows.push({
      rowNumber, lead: { ...EMPTY, ...lead, emailKey: lead.email ?? '' }, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [],
      qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, rowNumber),
    });
  }
  return batches(rows, jobId, tenantId)[0]!;
}

async function scale() {
  const { env, started } = await infraUp((line) => process.stdout.write(`[infra] ${line}\n`));
  const db = createPostgres({ url: env.DATABASE_URL });
  const redis = createRedis({ url: env.REDIS_URL });
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const run = Date.now();
  const tenantOf = (n: number) => `bench-scale-${run}-${n}`;
  const redisIndex = createRedisCandidateIndex(redis);
  try {
    await migrate(db, migrations);
    // The Redis index, counting the candidates it hands out (the bound on a batch's work).
    const handedOut = new Map(sizes.map((n) => [tenantOf(n), { rows: 0, candidates: 0 }]));
    const index: CandidateIndex = {
      ...redisIndex,
      async enter(tenant, rows, perBlock, most) {
        const found = await redisIndex.enter(tenant, rows, perBlock, most);
        const count = handedOut.get(tenant);
        if (perBlock > 0 && count) {
          count.rows += rows.length;
          count.candidates += found.reduce((sum, list) => sum + list.length, 0);
        }
        return found;
      },
    };
    const stage = createDedupStage({ fingerprints: createRedisFingerprintStore(redis), index, leads: createSqlStoredLeads(db) });
    // One tenant a size, all stored at once.
    const setup = new Map<number, string>();
    for (const n of sizes) {
      const t0 = performance.now();
      await fill(db, tenantOf(n), 0, n);
      await db.query('ANALYZE leads');
      const filled = (performance.now() - t0) / 1000;
      // The index rebuilt from PostgreSQL, as after Redis was emptied: the first batch waits for it.
      const memBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
      const t1 = performance.now();
      await stage(mixedBatch(`warm-${n}`, tenantOf(n), n, 0));
      const rebuilt = (performance.now() - t1) / 1000;
      const memAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
      setup.set(
        n,
        `index rebuilt in ${rebuilt.toFixed(1)} s (${Math.round(n / rebuilt).toLocaleString('en-US')} leads/s), ` +
          `${Math.round((memAfter - memBefore) / n)} bytes of Redis a lead; leads inserted in ${filled.toFixed(1)} s`,
      );
      handedOut.get(tenantOf(n))!.rows = handedOut.get(tenantOf(n))!.candidates = 0;
    }
    // Batches against each size in turn, so that the machine's ups and downs fall on all alike.
    const times = new Map(sizes.map((n) => [n, [] as number[]]));
    const found = new Map(sizes.map((n) => [n, 0]));
    for (let b = 1; b <= 20; b++) {
      for (const n of sizes) {
        const batch = mixedBatch(`job-${n}`, tenantOf(n), n, b);
        const t = performance.now();
        const marked = await stage(batch);
        times.get(n)!.push(performance.now() - t);
        found.set(n, found.get(n)! + marked.rows.filter((r) => r.disposition === Disposition.DISPOSITION_DUPLICATE).length);
      }
    }
    // One replica on two jobs at once (KAFKA_CONCURRENT_PARTITIONS=2): while Redis runs one
    // batch's script, the process compares the other's rows. Pairs of batches taken one after the
    // other and both at once, in turn, against the largest size.
    const largest = sizes.at(-1)!;
    let [oneByOne, together] = [0, 0];
    for (let b = 21; b <= 30; b++) {
      const pair = (k: number) => [mixedBatch(`job-${largest}`, tenantOf(largest), largest, b * 2 + k), mixedBatch(`job2-${largest}`, tenantOf(largest), largest, b * 2 + k)];
      let t = performance.now();
      for (const batch of pair(0)) await stage(batch);
      oneByOne += performance.now() - t;
      t = performance.now();
      await Promise.all(pair(1).map((batch) => stage(batch)));
      together += performance.now() - t;
    }
    const rate = (ms: number) => Math.round((10 * 2 * 500) / (ms / 1000)).toLocaleString('en-US');
    say('per-batch time against stored leads (PostgreSQL + Redis index; batches of 500 rows: 10% fuzzy copies, 10% stored emails, 80% new;');
    say('one tenant a size, all stored at once, batches taken in turn):');
    for (const n of sizes) {
      const sorted = times.get(n)!.sort((a, b) => a - b);
      const count = handedOut.get(tenantOf(n))!;
      say(
        `  ${n.toLocaleString('en-US').padStart(9)} stored: median ${sorted[10]!.toFixed(1)} ms, p95 ${sorted[18]!.toFixed(1)} ms a batch ` +
          `(${Math.round(500 / (sorted[10]! / 1000)).toLocaleString('en-US')} rows/s), ${(count.candidates / count.rows).toFixed(1)} candidates a row; ` +
          `${found.get(n)} of ${20 * 100} planted duplicates found; ${setup.get(n)}`,
      );
    }
    say(`one replica, ${largest.toLocaleString('en-US')} stored: ${rate(oneByOne)} rows/s taking batches one at a time, ${rate(together)} rows/s taking two jobs' batches at once (KAFKA_CONCURRENT_PARTITIONS=2)`);
  } finally {
    // The bench's leads and index go again: they are not anybody's data.
    await db.query('DELETE FROM leads WHERE tenant_id = ANY($1)', [sizes.map(tenantOf)]).catch(() => undefined);
    for (const n of sizes) {
      await redisIndex.clear(tenantOf(n)).catch(() => undefined);
      await createRedisFingerprintStore(redis).clear(tenantOf(n)).catch(() => undefined);
    }
    await redis.quit();
    await db.close();
    if (started.length > 0) await infraDown(started, (line) => process.stdout.write(`[infra] ${line}\n`));
  }
}

say(`# dedup benchmark (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${quick ? 'quick' : 'full'})`);
for (const file of ['dataset1.csv', 'dataset2.csv']) {
  if (existsSync(join(datasets, file))) await febrl(file);
  else say(`FEBRL ${file}: not found under ${datasets} (set FEBRL_DIR to the folder that holds it)`);
}
await generated();
if (qualityOnly) process.exit(0);
await scale();
const results = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
writeFileSync(results.replace('RESULTS.md', 'latest-run.txt'), `${out.join('\n')}\n`);
