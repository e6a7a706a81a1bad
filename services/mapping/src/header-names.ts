import { CANONICAL_FIELDS, FIELD_NAMES, type CanonicalField } from './field-names.js';
import { foldText } from '@leadflow/pipeline';

export interface NameMatch {
  field: CanonicalField;
  score: number;
  evidence: string;
}

/** Header words that qualify a field without changing it ("Primary Email", "Contact Phone (work)"). */
const NOISE = new Set([
  'the', 'of', 'your', 'primary', 'main', 'preferred', 'work', 'business', 'personal', 'private', 'home', 'office',
  'contact', 'lead', 'leads', 'customer', 'client', 'prospect', 'person', 'user', 'member', 'buyer', 'company',
  '1', '01', 'one', 'no', 'nr', 'num', 'number', 'txt', 'text', 'field', 'value', 'info', 'data', 'de', 'du', 'del', 'da',
]);

/** "FirstName", "first_name", "FIRST-NAME" → "first name". */
export function foldHeader(header: string): string {
  return foldText(header.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Za-z])(\d)/g, '$1 $2'));
}

const compact = (s: string) => s.replace(/ /g, '');

interface Alias {
  field: CanonicalField;
  alias: string;
  compact: string;
  tokens: string[];
}

const ALIASES: Alias[] = CANONICAL_FIELDS.flatMap((field) =>
  [field.replace(/_/g, ' '), ...FIELD_NAMES[field]].map((name) => {
    const folded = foldHeader(name);
    return { field, alias: name, compact: compact(folded), tokens: folded.split(' ') };
  }),
);
const BY_COMPACT = new Map<string, Alias>();
for (const a of ALIASES) if (!BY_COMPACT.has(a.compact)) BY_COMPACT.set(a.compact, a);

/** Optimal-string-alignment distance: edits, with a swap of neighbours counted as one ("emial"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * How well a header's name says each field: exact spelling of the field or a known alias
 * (0.97-1), the same once qualifier words are dropped (0.9), every word of an alias present
 * (0.75-0.85, longer aliases first), or within a few typos of an alias (0.55-0.85).
 */
export function matchHeaderName(header: string): NameMatch[] {
  const folded = foldHeader(header);
  const whole = compact(folded);
  if (!whole) return [];
  const best = new Map<CanonicalField, NameMatch>();
  const offer = (field: CanonicalField, score: number, evidence: string) => {
    const current = best.get(field);
    if (!current || score > current.score) best.set(field, { field, score, evidence });
  };

  const exact = BY_COMPACT.get(whole);
  if (exact) offer(exact.field, whole === compact(exact.field.replace(/_/g, ' ')) ? 1 : 0.97, `header is "${exact.alias}"`);

  const tokens = folded.split(' ');
  const kept = tokens.filter((t) => !NOISE.has(t));
  if (kept.length > 0 && kept.length < tokens.length) {
    const core = BY_COMPACT.get(kept.join(''));
    if (core) offer(core.field, 0.9, `header is "${core.alias}" with qualifiers`);
  }

  for (const a of ALIASES) {
    // Two-letter aliases ("st", "co", "pc") say too little inside a longer header.
    if (a.compact.length < 3) continue;
    if (a.tokens.every((t) => tokens.includes(t))) {
      offer(a.field, Math.min(0.85, 0.75 + a.compact.length / 200), `header contains "${a.alias}"`);
    }
  }

  const core = kept.join('') || whole;
  if (core.length >= 4) {
    for (const a of ALIASES) {
      if (a.compact.length < 4 || Math.abs(a.compact.length - core.length) > 2) continue;
      const similarity = 1 - editDistance(core, a.compact) / Math.max(core.length, a.compact.length);
      if (similarity >= 0.75 && similarity < 1) offer(a.field, 0.55 + (similarity - 0.75) * 1.2, `header is close to "${a.alias}"`);
    }
  }
  return [...best.values()].sort((x, y) => y.score - x.score);
}

/** A column that holds the house number of the street column beside it ("Street Number", "Hausnummer"). */
export function isStreetNumberHeader(header: string): boolean {
  return ['streetnumber', 'streetno', 'housenumber', 'houseno', 'hausnummer', 'numero', 'numerodevoie', 'number', 'nr', 'no', 'huisnummer'].includes(
    compact(foldHeader(header)),
  );
}
