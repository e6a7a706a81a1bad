import { abbreviates } from './abbreviation.js';
import { BUILT_IN_ALIASES, type Alias, type AliasTable } from './alias-table.js';
import type { CanonicalField } from './field-names.js';
import { compact, foldHeader, isCjk } from './header-fold.js';
import { headerRole, type HeaderRole } from './header-roles.js';

export { foldHeader } from './header-fold.js';

export interface NameMatch {
  field: CanonicalField;
  score: number;
  evidence: string;
}

/** Words that qualify a field without changing it ("Primary Email", "Phone (work)", "Numero di telefono"). */
const NOISE = new Set([
  'the', 'of', 'your', 'primary', 'main', 'preferred', 'work', 'business', 'personal', 'private', 'home', 'office',
  'contact', 'lead', 'leads', 'customer', 'client', 'prospect', 'person', 'people', 'user', 'member', 'buyer', 'company',
  '1', '01', 'one', 'no', 'nr', 'num', 'number', 'numero', 'numer', 'txt', 'text', 'field', 'value', 'info', 'data',
  'de', 'du', 'des', 'del', 'da', 'do', 'dos', 'das', 'di', 'della',
]);

/** Words for a person's whole name, dropped when another word says which part ("名前(姓)", "Name (first)"). */
const WHOLE_NAME = new Set(['name', 'names', '名前', '氏名', '姓名', '이름', '성명']);

/** Aliases too general to name a field inside a longer header: "Campaign Name", "Account Site", "Contact ID". */
const TOO_GENERAL = new Set(['name', 'contact', 'person', 'account']);

/** A header that is one of these words is not a misspelling of a field ("Department" is not "apartment"). */
const KNOWN_WORDS = new Set([
  'department', 'departments', 'dept', 'division', 'county', 'stage', 'status', 'fax', 'tags', 'territory',
  'gender', 'language', 'currency', 'timezone', 'category', 'comment', 'comments', 'description', 'notes', 'rating',
]);

/** A prefix that puts the rest of the header on the lead's organization ("Organization - Address"). */
const ORGANIZATION = /^\s*(organi[sz]ation|company|account)\s*[-–—:]\s*(.+)$/i;
const ORGANIZATION_FACTOR = 0.85;

let table = new Int32Array(256);

function letterCounts(word: string): Int32Array {
  const counts = new Int32Array(128);
  for (let i = 0; i < word.length; i++) counts[word.charCodeAt(i) & 127]!++;
  return counts;
}

/** How many letters of `word` `counts` holds, each at most as often as counted. */
function sharedLetters(counts: Int32Array, word: string): number {
  const left = counts.slice();
  let shared = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) & 127;
    if (left[c]! > 0) {
      left[c]!--;
      shared++;
    }
  }
  return shared;
}

/** Optimal-string-alignment distance: edits, with a swap of neighbours counted as one ("emial"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  // Every header is compared with every alias: one table, grown as needed, instead of one each time.
  if (table.length < rows * cols) table = new Int32Array(rows * cols * 2);
  const d = table;
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
 * Whether the header's words abbreviate the alias's, word for word ("FrstNm" first name,
 * "PhNbr" phone number) or as one word ("Cmpny" company). Two-letter words only as consonants.
 */
function abbreviation(tokens: readonly string[], a: Alias): number {
  if (a.cjk || a.compact.length < 4) return 0;
  const word = (t: string, w: string) =>
    t === w || ((t.length >= 3 || !/[aeiou]/.test(t)) && abbreviates(t, w));
  if (tokens.length === a.tokens.length && tokens.length > 1) {
    return tokens.every((t, i) => word(t, a.tokens[i]!)) ? 0.8 : 0;
  }
  // One word for a one-word alias, keeping at least half its letters: "Cmpny" company, "Cty" city.
  const short = tokens.length === 1 && a.tokens.length === 1 ? tokens[0]! : '';
  const kept = short.length / a.compact.length;
  return short.length >= 3 && kept >= 0.5 && abbreviates(short, a.compact) ? 0.7 + 0.15 * kept : 0;
}

/** An alias as evidence names it: a tenant's synonym says so. */
const quoted = (a: Alias) => (a.tenant ? `"${a.alias}" (a synonym of this tenant)` : `"${a.alias}"`);

/** Matches of a header's words, without looking at whose data the header says it is. */
function matchWords(tokens: readonly string[], table: AliasTable): NameMatch[] {
  const whole = tokens.join('');
  if (!whole) return [];
  const best = new Map<CanonicalField, NameMatch>();
  const offer = (field: CanonicalField, score: number, evidence: string) => {
    const current = best.get(field);
    if (!current || score > current.score) best.set(field, { field, score, evidence });
  };

  const exact = table.byCompact.get(whole);
  if (exact) {
    offer(exact.field, whole === compact(exact.field.replace(/_/g, ' ')) ? 1 : 0.97, `header is ${quoted(exact)}`);
  }

  const kept = tokens.filter((t) => !NOISE.has(t));
  const named = kept.filter((t) => !WHOLE_NAME.has(t));
  for (const core of [kept, named]) {
    if (core.length === 0 || core.length === tokens.length) continue;
    const match = table.byCompact.get(core.join(''));
    if (match) offer(match.field, 0.9, `header is ${quoted(match)} with qualifiers`);
  }

  const cjkWords = tokens.filter(isCjk);
  for (const a of table.aliases) {
    if (TOO_GENERAL.has(a.compact)) continue;
    // A few letters ("st", "co", "pc") or one character ("名", "市") say too little inside a longer header.
    const contained = a.cjk
      ? a.compact.length >= 2 && cjkWords.some((w) => w.includes(a.compact))
      : a.compact.length >= 3 && a.tokens.every((t) => tokens.includes(t));
    if (contained) {
      offer(a.field, Math.min(0.85, 0.75 + a.compact.length / 200), `header contains ${quoted(a)}`);
      continue;
    }
    const abbreviated = exact ? 0 : abbreviation(kept.length > 0 ? kept : tokens, a);
    if (abbreviated > 0) offer(a.field, abbreviated, `header abbreviates ${quoted(a)}`);
  }

  const core = kept.join('') || whole;
  // Two whole words are not a misspelling of one ("Form Name" is not "forename"; "E-Mial" is "email").
  const words = (kept.length > 0 ? kept : tokens).filter((t) => t.length >= 3).length;
  if (core.length >= 4 && !KNOWN_WORDS.has(core) && !isCjk(core)) {
    const letters = letterCounts(core);
    for (const a of table.aliases) {
      if (a.cjk || a.compact.length < 4 || Math.abs(a.compact.length - core.length) > 2) continue;
      if (words > 1 && a.tokens.length === 1) continue;
      // Letters the two do not share bound the distance from below: most aliases end here.
      if (Math.max(core.length, a.compact.length) - sharedLetters(letters, a.compact) > 0.25 * Math.max(core.length, a.compact.length)) continue;
      const similarity = 1 - editDistance(core, a.compact) / Math.max(core.length, a.compact.length);
      if (similarity >= 0.75 && similarity < 1) {
        offer(a.field, 0.55 + (similarity - 0.75) * 1.2, `header is close to ${quoted(a)}`);
      }
    }
  }
  return [...best.values()];
}

/**
 * Whose data a header says its column holds (headerRole), unless the header is one of the
 * tenant's synonyms: the tenant named that header as the lead's field ("Owner Email" of a list
 * of property owners).
 */
export function roleOf(header: string, table: AliasTable = BUILT_IN_ALIASES): HeaderRole | undefined {
  return table.byCompact.get(compact(foldHeader(header)))?.tenant ? undefined : headerRole(header);
}

/**
 * How well a header's name says each field: exact spelling of the field or a known alias
 * (0.97-1), the same once qualifier words are dropped (0.9), every word of an alias present
 * (0.75-0.85, longer aliases first), an abbreviation of an alias (0.8), or within a few typos
 * of an alias (0.55-0.85). A header that names another person's data or a social profile
 * matches nothing; one that names an identifier matches at half its score, so only values
 * of the field can still make it one ("Email ID" of addresses).
 * @param table the aliases: the built-in ones, or those with a tenant's synonyms (withSynonyms)
 */
export function matchHeaderName(header: string, table: AliasTable = BUILT_IN_ALIASES): NameMatch[] {
  const role = roleOf(header, table);
  if (role && role.kind !== 'identifier') return [];
  const organization = ORGANIZATION.exec(header)?.[2];
  let matches: NameMatch[];
  if (organization !== undefined) {
    // The organization's own name is the company; its other fields count below the person's.
    const rest = foldHeader(organization).split(' ').filter(Boolean);
    matches = rest.every((t) => WHOLE_NAME.has(t) || NOISE.has(t))
      ? [{ field: 'company', score: 0.95, evidence: "header is the organization's name" }]
      : matchWords(rest, table).map((m) => ({
          ...m,
          score: m.score * ORGANIZATION_FACTOR,
          evidence: `${m.evidence}, of the organization`,
        }));
  } else {
    matches = matchWords(foldHeader(header).split(' ').filter(Boolean), table);
  }
  // An identifier's header that is itself a field's name ("国コード", "Country Code") is that field.
  if (role?.kind === 'identifier' && !table.byCompact.has(compact(foldHeader(header)))) {
    matches = matches.map((m) => ({ ...m, score: m.score * 0.5, evidence: `${m.evidence}, but ${role.detail}` }));
  }
  return matches.sort((x, y) => y.score - x.score);
}

/** A column that holds the house number of the street column beside it ("Street Number", "Hausnummer"). */
export function isStreetNumberHeader(header: string): boolean {
  return ['streetnumber', 'streetno', 'housenumber', 'houseno', 'hausnummer', 'numero', 'numerodevoie', 'number', 'nr', 'no', 'huisnummer'].includes(
    compact(foldHeader(header)),
  );
}
