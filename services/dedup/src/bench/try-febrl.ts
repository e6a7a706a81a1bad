import { blockingKeys } from '../matching/blocking.js';
import { comparePair } from '../matching/compare.js';
import { toMatchRecord, type MatchRecord } from '../matching/record.js';
import { mappedRows, pairScores } from './febrl.js';

const file = process.argv[2]!;
const dup = Number(process.argv[3] ?? 0.95);
const rows = await mappedRows(file);
const entities = rows.map((r) => /^rec-(\d+)/.exec(r.lead!.extra.rec_id ?? '')![1]!);
const records = rows.map((r) => toMatchRecord(r.lead!));
const index = new Map<string, number[]>();
const links: [number, number][] = [];
let comparisons = 0;
const misses: string[] = [];
const falses: string[] = [];
const t0 = performance.now();
records.forEach((rec, i) => {
  const keys = blockingKeys(rec);
  const candidates = new Set<number>();
  for (const k of keys) for (const c of (index.get(k) ?? []).slice(-50)) candidates.add(c);
  let best = -1;
  let bestScore = { probability: 0, otherPerson: false, weight: 0 } as ReturnType<typeof comparePair>;
  for (const c of candidates) {
    comparisons++;
    const s = comparePair(rec, records[c]!);
    if (s.probability > bestScore.probability) { best = c; bestScore = s; }
  }
  if (best >= 0 && bestScore.probability >= dup && !bestScore.otherPerson && bestScore.located) {
    links.push([i, best]);
    if (entities[i] !== entities[best]) falses.push(`${fmt(rec)}  ~  ${fmt(records[best]!)}  p=${bestScore.probability.toFixed(3)} ${bestScore.fields.map((f) => `${f.field}:${f.level}`).join(' ')}`);
    return;
  }
  // A copy whose original is stored but that scored too low.
  const truth = [...index.values()].flat().find((c) => entities[c] === entities[i]);
  if (truth !== undefined) {
    const s = comparePair(rec, records[truth]!);
    misses.push(`${fmt(rec)}  ~  ${fmt(records[truth]!)}  p=${s.probability.toFixed(3)} w=${s.weight.toFixed(1)} cand=${candidates.has(truth)} loc=${s.located} ${s.fields.map((f) => `${f.field}:${f.level}`).join(' ')}${s.otherPerson ? ' OTHER' : ''}`);
  }
  for (const k of keys) {
    const list = index.get(k) ?? [];
    list.push(i);
    index.set(k, list);
  }
});
const ms = performance.now() - t0;
const s = pairScores(entities, links);
console.log(`${file}: P=${s.precision.toFixed(4)} R=${s.recall.toFixed(4)} F1=${s.f1.toFixed(4)} pairs true=${s.truePairs} predicted=${s.predicted} correct=${s.correct}; ${comparisons} comparisons, ${(ms / rows.length * 1000).toFixed(0)} µs/row`);
console.log(`false links ${falses.length}`); for (const f of falses.slice(0, 15)) console.log('  F ' + f);
console.log(`misses ${misses.length}`); for (const m of misses.slice(0, 200)) console.log('  M ' + m);
function fmt(r: MatchRecord) { return [r.first, r.last, r.streetNumber, r.streetName, r.line2, r.city, r.postalCode, r.state].join('/'); }
