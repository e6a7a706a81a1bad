import type { MatchFields } from '../stored-leads.js';
import { emailKey, foldText } from '@leadflow/pipeline';

/**
 * A lead as the matcher compares it: every field folded (lowercase, no accents or punctuation)
 * and the address taken apart. Built once per row and per candidate.
 */
export interface MatchRecord {
  first: string;
  last: string;
  emailKey: string;
  phone: string;
  /** The lead's alternate email keys and phones (most leads have none: empty, shared). */
  otherEmailKeys: readonly string[];
  otherPhones: readonly string[];
  streetNumber: string;
  streetName: string;
  line2: string;
  city: string;
  postalCode: string;
  state: string;
  company: string;
}

/** Street-type words as suppliers abbreviate them, to one spelling. */
const STREET_WORDS: Record<string, string> = {
  st: 'street', str: 'street', rd: 'road', ave: 'avenue', av: 'avenue', avn: 'avenue', dr: 'drive', drv: 'drive',
  cres: 'crescent', cr: 'crescent', crs: 'crescent', pl: 'place', ct: 'court', crt: 'court', cct: 'circuit', cir: 'circle',
  hwy: 'highway', pde: 'parade', tce: 'terrace', ter: 'terrace', cl: 'close', ln: 'lane', la: 'lane', blvd: 'boulevard',
  bvd: 'boulevard', sq: 'square', gr: 'grove', gve: 'grove', wy: 'way', esp: 'esplanade', pkwy: 'parkway', pky: 'parkway',
  mt: 'mount', hts: 'heights', cv: 'cove', gdns: 'gardens', pt: 'point', rdg: 'ridge', sth: 'south', nth: 'north',
  apt: 'apartment', ste: 'suite', fl: 'floor', bldg: 'building',
};

/** Company words that say only what kind of company it is. */
const COMPANY_FORMS = new Set(['inc', 'incorporated', 'llc', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company', 'gmbh', 'ag', 'sa', 'sarl', 'bv', 'nv', 'plc', 'pty', 'pte', 'srl', 'spa', 'ab', 'as', 'oy', 'the']);

/** Words that say what kind of street it is, not which: "forbes street" and "forbes road" differ only in them. */
const STREET_TYPES = new Set([
  'street', 'road', 'avenue', 'drive', 'crescent', 'place', 'court', 'circuit', 'circle', 'highway', 'parade', 'terrace', 'close',
  'lane', 'boulevard', 'square', 'grove', 'way', 'esplanade', 'parkway',
]);

const cores = new Map<string, string>();

/** A street without its type words ("forbes street" → "forbes"); the street itself when nothing else is left. */
export function streetCore(street: string): string {
  let core = cores.get(street);
  if (core === undefined) {
    core = street.split(' ').filter((w) => !STREET_TYPES.has(w)).join(' ') || street;
    // Asked for every candidate pair: remembered, within a bound.
    if (cores.size >= 100_000) cores.clear();
    cores.set(street, core);
  }
  return core;
}

export function streetWords(folded: string): string {
  return folded
    .split(' ')
    .map((w) => STREET_WORDS[w] ?? w)
    .join(' ');
}

/** "44 forbes street" → number "44", name "forbes street"; "unit 5 12 main st" → "12" and "unit 5 main street"' */
function splitStreet(folded: string): { number: string; name: string } {
  if (!folded) return { number: '', name: '' };
  const words = streetWords(folded).split(' ');
  // The house number: the first word that starts with a digit, after a unit designator's number.
  let at = words.findIndex((w) => /^\d/.test(w));
  if (at >= 0 && at + 1 < words.length && /^\d/.test(words[at + 1]!)) at++;
  if (at < 0) return { number: '', name: words.join(' ') };
  const number = words[at]!;
  return { number, name: [...words.slice(0, at), ...words.slice(at + 1)].join(' ') };
}

const NONE: readonly string[] = Object.freeze([]);

export function toMatchRecord(lead: MatchFields): MatchRecord {
  const street = splitStreet(foldText(lead.street));
  let first = foldText(lead.firstName);
  let last = foldText(lead.lastName);
  if (!first && !last && lead.fullName) {
    const words = foldText(lead.fullName).split(' ');
    first = words[0] ?? '';
    last = words.slice(1).join(' ');
  }
  return {
    first,
    last,
    emailKey: lead.emailKey || lead.email.toLowerCase(),
    phone: lead.phone,
    otherEmailKeys: lead.alternateEmails?.length ? lead.alternateEmails.map((a) => emailKey(a.value)) : NONE,
    otherPhones: lead.alternatePhones?.length ? lead.alternatePhones.map((a) => a.value) : NONE,
    streetNumber: street.number,
    streetName: street.name,
    line2: streetWords(foldText(lead.addressLine2)),
    city: foldText(lead.city),
    postalCode: foldText(lead.postalCode).replace(/ /g, ''),
    state: foldText(lead.state),
    company: foldText(lead.company)
      .split(' ')
      .filter((w) => !COMPANY_FORMS.has(w))
      .join(' '),
  };
}
