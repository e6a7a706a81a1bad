import { BUILT_IN_ALIASES, type AliasTable } from './alias-table.js';
import type { CanonicalField } from './field-names.js';
import { legacyFoldHeader } from './header-fold.js';
import { foldHeader, isStreetNumberHeader, matchHeaderName, roleOf } from './header-names.js';
import { headerRole } from './header-roles.js';
import { headerMatches } from './nested-header.js';
import { profileValues, type ValueKind, type ValueProfile } from './value-profile.js';

export type MappedField = CanonicalField | 'extra';

/** Why a column got its field; shown to the person who reviews a mapping. */
export interface Evidence {
  kind: 'name' | 'values' | 'supplier' | 'conflict' | 'person';
  detail: string;
}

/** What a person's decision on a column says: confirmed as proposed, or changed. */
export function personEvidence(proposed: string, field: string): Evidence {
  return { kind: 'person', detail: field === proposed ? 'confirmed by a person' : `set by a person (proposed: ${proposed})` };
}

export interface ColumnDecision {
  header: string;
  field: MappedField;
  /** How sure, in [0, 1]. */
  confidence: number;
  evidence: Evidence[];
  /** An extra column of yes/no answers, written as true/false. */
  values?: 'boolean';
}

export interface MapColumnsOptions {
  /** Region for phone numbers without a country code. @default 'US' */
  region?: string;
  /** The supplier's confirmed mappings, by folded header; they win when they apply. */
  confirmed?: ReadonlyMap<string, MappedField>;
  /** The header names to match: the built-in aliases, with the tenant's synonyms (withSynonyms). @default BUILT_IN_ALIASES */
  aliases?: AliasTable;
}

/** The value kind that supports each field; fields without one are judged by name. */
const SUPPORT: Partial<Record<CanonicalField, ValueKind>> = {
  email: 'email', phone: 'phone', postal_code: 'postal_code', state: 'state', country: 'country', domain: 'domain',
  first_name: 'first_name', full_name: 'full_name', street: 'street', company: 'company', job_title: 'job_title',
  // A consent column holds dates; a certificate column URLs (which look like domains).
  consent_date: 'date', consent_certificate_url: 'domain',
};

/** Value kinds that, when most values are of them, say a column is none of the text fields. */
const NOT_TEXT: ValueKind[] = ['email', 'phone', 'date', 'boolean', 'domain', 'salutation'];

const KIND_FIELD: Partial<Record<ValueKind, CanonicalField>> = {
  email: 'email', phone: 'phone', postal_code: 'postal_code', state: 'state', country: 'country', domain: 'domain',
  first_name: 'first_name', full_name: 'full_name', street: 'street',
};

const AMBIGUOUS_KINDS = new Set<ValueKind>(['postal_code']);

/** Fields a row can hold several of: every such column counts, the first valid value is the lead's, the rest its alternates. */
const SEVERAL: ReadonlySet<CanonicalField> = new Set(['email', 'phone']);

/**
 * Header words that say a further email or phone column is not the lead's own, beyond the other
 * parties headerRole knows (owner, rep, creator...): a line many leads share (the company's
 * switchboard, a fax) or a relative's, a manager's, an emergency contact's. Taken as alternates,
 * they would make every lead of one company a duplicate of the others.
 */
const NOT_OWN = new Set([
  'fax', 'telefax', 'company', 'account', 'organization', 'organisation', 'org', 'hq', 'headquarters', 'switchboard', 'reception',
  'corporate', 'main', 'general', 'firma', 'zentrale', 'entreprise', 'societe', 'standard', 'empresa', 'centralita', 'azienda',
  'centralino', 'bedrijf', 'emergency', 'spouse', 'partner', 'parent', 'guardian', 'manager', 'supervisor',
]);
// The same inside a word: 会社 / 公司 / 企业 / 회사 company, 代表 main number, 传真 / 팩스 / ファックス fax.
const NOT_OWN_CJK = ['会社', '公司', '企业', '企業', '회사', '代表', '传真', '팩스', 'ファックス', 'ＦＡＸ'];

/** Why a further email or phone column is not the lead's own, or undefined when it is. */
function notOwnContact(header: string, values: readonly string[]): string | undefined {
  const word = foldHeader(header).split(' ').find((w) => NOT_OWN.has(w)) ?? NOT_OWN_CJK.find((w) => header.includes(w));
  if (word) return `the header says "${word}"`;
  // The same few values on many rows: an owner's or a company's, not each lead's own.
  const sample = values.map((v) => v.trim().toLowerCase()).filter(Boolean).slice(0, 200);
  if (sample.length >= 10 && new Set(sample).size < sample.length / 2) return 'the same values repeat on many rows';
  return undefined;
}

/** A header that says nothing about its column: "Column 7", "field_2", "Unnamed: 3", "C", "". */
export function isGenericHeader(header: string): boolean {
  return /^(col(umn)?|field|fld|var|attr(ibute)?|unnamed|untitled|data|value)?\s*([a-z]|\d+)?$/.test(foldHeader(header));
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

/** A value kind as evidence names it, in the plural: "emails", "postal codes", "companies", "cities". */
export function kindNoun(kind: string): string {
  const noun = kind.replace(/_/g, ' ');
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

interface Candidate {
  column: number;
  field: CanonicalField;
  score: number;
  evidence: Evidence[];
  /** Shown with confidence 1 whatever its score (the header is the field's own name). */
  certain?: boolean;
}

/** The strongest value kind other than `except`, if most values are of it. */
function dominantKind(profile: ValueProfile, except?: ValueKind): [ValueKind, number] | undefined {
  let best: [ValueKind, number] | undefined;
  for (const [kind, share] of Object.entries(profile.shares) as [ValueKind, number][]) {
    if (kind === except || kind === 'number' || kind === 'text') continue;
    if (share >= 0.8 && (!best || share > best[1])) best = [kind, share];
  }
  return best;
}

function scoreColumn(column: number, header: string, profile: ValueProfile, aliases: AliasTable): Candidate[] {
  // Another person's column, or a profile's, is no lead field whatever its values look like.
  const role = roleOf(header, aliases);
  if (role && role.kind !== 'identifier') return [];
  const byField = new Map<CanonicalField, Candidate>();
  for (const m of headerMatches(header, aliases)) {
    const support = SUPPORT[m.field];
    const share = support ? (profile.shares[support] ?? 0) : undefined;
    const evidence: Evidence[] = [{ kind: 'name', detail: m.evidence }];
    let score = m.score;
    if (profile.sampled === 0) {
      score *= 0.9;
    } else if (share !== undefined && share >= 0.5) {
      const valueScore = 0.5 + 0.45 * share;
      score = Math.min(0.99, 1 - (1 - score) * (1 - valueScore));
      evidence.push({ kind: 'values', detail: `${pct(share)} of values look like ${kindNoun(support!)}` });
    } else if (share !== undefined && share < 0.3 && m.score < 0.9 && m.evidence.startsWith('header is close to')) {
      // A near-spelling alone is weak: "County" is one letter from "Country".
      score *= 0.6;
      evidence.push({ kind: 'conflict', detail: `but only ${pct(share)} of values look like ${kindNoun(support!)}` });
    } else {
      const other = dominantKind(profile, support);
      const textField = share === undefined;
      if (other && (!textField || NOT_TEXT.includes(other[0]) || other[0] === 'salutation')) {
        score *= 0.45;
        evidence.push({ kind: 'conflict', detail: `but ${pct(other[1])} of values look like ${kindNoun(other[0])}` });
      } else if (share !== undefined) {
        score *= 0.8 + 0.4 * share;
      }
    }
    // The field's own name ("first_name", "Postal Code") is certain unless the values contradict
    // it; values a profile does not know ("Renée") say nothing against it. Only the confidence
    // shown says so: the score still ranks it among other columns of the field as before ("Phone"
    // and "Direct Phone": the direct line stays the lead's).
    const certain = m.score === 1 && !evidence.some((e) => e.kind === 'conflict');
    byField.set(m.field, { column, field: m.field, score, evidence, certain });
  }
  // Values alone: a column whose header names no lead field but whose values do. Postal
  // codes look like any 4- or 5-digit number, so they count only under a header that says
  // nothing at all ("Column 7"); an "ID" or "Revenue" column of numbers stays extra, and so
  // does an identifier's whose numbers look like phone numbers.
  const generic = isGenericHeader(header);
  for (const [kind, share] of Object.entries(profile.shares) as [ValueKind, number][]) {
    const field = KIND_FIELD[kind];
    if (!field || share < 0.6 || byField.has(field) || role) continue;
    if (AMBIGUOUS_KINDS.has(kind) && !generic) continue;
    byField.set(field, {
      column,
      field,
      score: (0.5 + 0.45 * share) * 0.9,
      evidence: [{ kind: 'values', detail: `${pct(share)} of values look like ${kindNoun(kind)}` }],
    });
  }
  return [...byField.values()];
}

/**
 * Maps each column to a canonical field or `extra`, from its header and its values, with a
 * confidence and the evidence. A supplier's confirmed mappings win. Each field goes to one
 * column, the strongest; a house-number column joins the street column. Email and phone go to
 * every column that holds the lead's own (not an owner's, not a company switchboard).
 * @param columns each column's values from the first rows of the file
 */
export function mapColumns(headers: readonly string[], columns: readonly (readonly string[])[], opts: MapColumnsOptions = {}): ColumnDecision[] {
  const region = opts.region ?? 'US';
  const aliases = opts.aliases ?? BUILT_IN_ALIASES;
  const decisions: (ColumnDecision | undefined)[] = headers.map(() => undefined);
  const taken = new Set<CanonicalField>();
  const profiles = headers.map((_, i) => profileValues(columns[i] ?? [], region));

  headers.forEach((header, i) => {
    const legacy = legacyFoldHeader(header);
    const field = opts.confirmed?.get(foldHeader(header)) ?? (legacy === undefined ? undefined : opts.confirmed?.get(legacy));
    if (field === undefined) return;
    decisions[i] = { header, field, confidence: 0.99, evidence: [{ kind: 'supplier', detail: 'confirmed for this supplier before' }] };
    if (field !== 'extra') taken.add(field);
  });

  const houseNumber = (i: number) => isStreetNumberHeader(headers[i]!) && (profiles[i]!.shares.number ?? 0) >= 0.8;
  const candidates = headers
    .flatMap((header, i) => (decisions[i] || houseNumber(i) ? [] : scoreColumn(i, header, profiles[i]!, aliases)))
    .filter((c) => c.score >= 0.5)
    .sort((a, b) => b.score - a.score || a.column - b.column);
  /** Further email or phone columns that are someone else's, and why. */
  const notOwn = new Map<number, string>();
  for (const c of candidates) {
    if (decisions[c.column]) continue;
    let evidence = c.evidence;
    if (taken.has(c.field)) {
      if (!SEVERAL.has(c.field) || notOwn.has(c.column)) continue;
      const why = notOwnContact(headers[c.column]!, columns[c.column] ?? []);
      if (why) {
        notOwn.set(c.column, `another ${c.field} column, but not the lead's own: ${why}`);
        continue;
      }
      evidence = [...evidence, { kind: 'name', detail: `another ${c.field} column: the first valid ${c.field} of a row is the lead's, the others its alternates` }];
    }
    taken.add(c.field);
    decisions[c.column] = { header: headers[c.column]!, field: c.field, confidence: c.certain ? 1 : round(c.score), evidence };
  }

  const streetColumn = decisions.findIndex((d) => d?.field === 'street');
  const firstNameColumn = decisions.findIndex((d) => d?.field === 'first_name');
  const lastNameFree = !decisions.some((d) => d?.field === 'last_name');
  return headers.map((header, i) => {
    const decided = decisions[i];
    if (decided) return decided;
    if (streetColumn >= 0 && houseNumber(i)) {
      return { header, field: 'street', confidence: 0.9, evidence: [{ kind: 'name', detail: `house number, joined to "${headers[streetColumn]}"` }] };
    }
    if (lastNameFree && firstNameColumn === i - 1 && isGenericHeader(header) && nameLike(columns[i] ?? [])) {
      return { header, field: 'last_name', confidence: 0.7, evidence: [{ kind: 'values', detail: `name-like values right after the first-name column "${headers[i - 1]}"` }] };
    }
    const best = candidates.find((c) => c.column === i);
    const role = headerRole(header);
    const someoneElses = notOwn.get(i);
    const evidence: Evidence[] = someoneElses
      ? [{ kind: 'conflict', detail: someoneElses }]
      : best
        ? [{ kind: 'conflict', detail: `"${best.field}" went to a stronger column` }]
        : [{ kind: 'name', detail: role?.detail ?? 'no lead field matches the header or the values' }];
    const extra: ColumnDecision = { header, field: 'extra', confidence: round(best ? Math.min(0.8, best.score) : 0.9), evidence };
    if ((profiles[i]!.shares.boolean ?? 0) >= 0.9) {
      extra.values = 'boolean';
      evidence.push({ kind: 'values', detail: 'yes/no answers, written as true/false' });
    }
    return extra;
  });
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Most values are one or two capitalized words without digits: "O'Brien", "van der Berg", "García". */
function nameLike(values: readonly string[]): boolean {
  const sample = values.map((v) => v.trim()).filter(Boolean).slice(0, 200);
  if (sample.length === 0) return false;
  const hits = sample.filter((v) => /^[\p{Lu}][\p{L}'’-]*( [\p{L}][\p{L}'’-]*){0,2}$/u.test(v)).length;
  return hits / sample.length >= 0.9;
}
