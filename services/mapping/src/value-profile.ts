import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import {
  AU_STATE_CODES, AU_STATES, CA_PROVINCE_CODES, CA_PROVINCES, COMPANY_WORDS, COUNTRY_CODES, COUNTRY_NAMES, FIRST_NAMES,
  JOB_WORDS, SALUTATIONS, STREET_WORDS, US_STATE_CODES, US_STATES,
} from './reference-data.js';
import { foldText } from '@leadflow/pipeline';
import { stateCode } from './normalize.js';

/** What a column's values look like: for each kind, the share of non-empty sample values of that kind. */
export type ValueKind =
  | 'email' | 'phone' | 'postal_code' | 'state' | 'country' | 'domain' | 'first_name' | 'full_name' | 'street'
  | 'company' | 'job_title' | 'salutation' | 'date' | 'boolean' | 'number' | 'text';

export interface ValueProfile {
  /** Non-empty values looked at. */
  sampled: number;
  shares: Partial<Record<ValueKind, number>>;
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[a-z]{2,}$/i;
const URL_OR_DOMAIN = /^(https?:\/\/)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?([/?#]\S*)?$/i;
const POSTAL = [
  /^\d{5}(-\d{4})?$/, // US ZIP, ZIP+4; DE, FR, ES, IT
  /^\d{4}$/, // AU, NZ, AT, CH, BE, DK, NL without letters
  /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i, // CA
  /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i, // UK
  /^\d{4} ?[A-Z]{2}$/i, // NL
  /^\d{3}-?\d{4}$/, // JP
  /^\d{5}-?\d{3}$/, // BR
];
const DATE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))([ T]\d{1,2}:\d{2}(:\d{2})?)?$/;
// A profile on a social network names the person, not the company's website.
const SOCIAL_PROFILE = /^(https?:\/\/)?([a-z]{2,3}\.)?(linkedin|facebook|twitter|x|instagram|xing|youtube|tiktok)\.com\//i;
// Street names written as one word with the street type ("Hauptstraße 12", "Kerkstraat 7") or
// after it ("ul. Długa 5").
const STREET_COMPOUND = /\p{L}(straße|strasse|str\.|straat|weg|laan|gasse|allee|plein|gracht|kade|gatan|vägen|vej|gade)(?=[\s,]|$)|^(ul|al|pl)\.\s/iu;
const BOOLEAN = new Set(['yes', 'no', 'y', 'n', 'true', 'false', 'ja', 'nein', 'oui', 'non', 'si', 'x']);
const PHONE_CHARS = /^[+()\d\s.\-/]*(x|ext\.?|extension)?\s*\d*$/i;

const words = (v: string) => foldText(v).split(' ').filter(Boolean);

function isPhone(v: string, region: string): boolean {
  const digits = v.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15 || !PHONE_CHARS.test(v)) return false;
  if (DATE.test(v)) return false;
  return parsePhoneNumberFromString(v, region as CountryCode)?.isPossible() === true;
}

function isState(v: string): boolean {
  const f = foldText(v);
  if (US_STATE_CODES.has(f) || CA_PROVINCE_CODES.has(f) || AU_STATE_CODES.has(f) || f in US_STATES || f in CA_PROVINCES || f in AU_STATES) return true;
  // An abbreviation counts with its dot: "Calif.", "N.Y."; without it "Man" or "Miss" is as likely another word.
  return v.trim().endsWith('.') && stateCode(v) !== undefined;
}

function isCountry(v: string): boolean {
  const f = foldText(v);
  return COUNTRY_NAMES.has(f) || (f.length === 2 && COUNTRY_CODES.has(f)) || (f.length === 3 && ['usa', 'gbr', 'deu', 'fra', 'can', 'aus', 'esp', 'ita', 'nld'].includes(f));
}

const DETECTORS: Record<Exclude<ValueKind, 'text'>, (v: string, region: string) => boolean> = {
  email: (v) => EMAIL.test(v),
  phone: isPhone,
  postal_code: (v) => POSTAL.some((p) => p.test(v)),
  state: isState,
  country: isCountry,
  domain: (v) => !v.includes('@') && URL_OR_DOMAIN.test(v) && !SOCIAL_PROFILE.test(v),
  first_name: (v) => {
    const w = words(v);
    return w.length === 1 && FIRST_NAMES.has(w[0]!);
  },
  full_name: (v) => {
    // "O'Brien, Mary": the given name follows the comma.
    const comma = v.indexOf(',');
    const w = words(comma > 0 ? `${v.slice(comma + 1)} ${v.slice(0, comma)}` : v).filter((x) => !SALUTATIONS.has(x));
    return w.length >= 2 && w.length <= 4 && FIRST_NAMES.has(w[0]!) && !/\d/.test(v);
  },
  street: (v) => {
    const w = words(v);
    return /\d/.test(v) && w.length >= 2 && (w.some((x) => STREET_WORDS.has(x)) || STREET_COMPOUND.test(v));
  },
  company: (v) => words(v).some((x) => COMPANY_WORDS.has(x)),
  job_title: (v) => words(v).some((x) => JOB_WORDS.has(x)),
  salutation: (v) => SALUTATIONS.has(foldText(v)),
  date: (v) => DATE.test(v),
  boolean: (v) => BOOLEAN.has(v.trim().toLowerCase()),
  number: (v) => /^-?[\d,]+(\.\d+)?$/.test(v),
};

/** Profiles a column from up to `limit` of its non-empty values. */
export function profileValues(values: readonly string[], region = 'US', limit = 200): ValueProfile {
  const sample = values.map((v) => v.trim()).filter(Boolean).slice(0, limit);
  const shares: ValueProfile['shares'] = {};
  if (sample.length === 0) return { sampled: 0, shares };
  for (const [kind, test] of Object.entries(DETECTORS) as [Exclude<ValueKind, 'text'>, (v: string, r: string) => boolean][]) {
    let hits = 0;
    for (const v of sample) if (test(v, region)) hits++;
    if (hits > 0) shares[kind] = hits / sample.length;
  }
  return { sampled: sample.length, shares };
}
