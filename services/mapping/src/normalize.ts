import { getCountries, getCountryCallingCode, PhoneNumber, type CountryCode, type E164Number } from 'libphonenumber-js/core';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import {
  AU_STATE_CODES, AU_STATES, CA_PROVINCE_CODES, CA_PROVINCES, COUNTRY_CODES, COUNTRY_NAMES, STATE_ABBREVIATIONS, US_STATE_CODES,
  US_STATES,
} from './reference-data.js';
import { foldText } from '@leadflow/pipeline';

// The email key is shared by every stage that matches emails (mapping, dedup, persistence).
export { emailKey } from '@leadflow/pipeline';

// Practical address syntax: a local part without spaces or brackets, a domain with a dot and
// a TLD of two or more letters. Full RFC 5322 accepts addresses no mail system delivers to.
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,}$/;

/** Trimmed and lowercased; undefined when it is not a valid address. */
export function normalizeEmail(value: string): string | undefined {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email) || email.includes('..')) return undefined;
  return email;
}

/** E.164 for a valid number, read in `defaultRegion` when it has no country code. */
export function normalizePhone(value: string, defaultRegion: string): string | undefined {
  return parsePhone(value, defaultRegion)?.e164;
}

export interface ParsedPhone {
  e164: string;
  /** "x 204" and "ext. 204" become "204". */
  extension: string;
  /** mobile, fixed_line, fixed_line_or_mobile, toll_free, voip, ...; '' where the metadata cannot tell. */
  type: string;
}

/** A valid phone number's E.164 form, extension and line type; undefined when it is not a valid number. */
export function parsePhone(value: string, defaultRegion: string): ParsedPhone | undefined {
  const fast = parseCommonForm(value, defaultRegion);
  if (fast) return fast;
  const parsed = parsePhoneNumberFromString(value, { defaultCountry: defaultRegion as CountryCode, extract: false });
  if (!parsed?.isValid()) return undefined;
  return { e164: parsed.number, extension: parsed.ext ?? '', type: (parsed.getType() ?? '').toLowerCase() };
}

// "… ext. 204", "… x204", "… #204" at the end of a number.
const EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*(\d{1,7})\s*$/i;
const FORMATTING_ONLY = /^\+?[\d\s().\-/]+$/;

/**
 * The common forms, read without libphonenumber's general parser, which is most of the cost
 * of a row: "+<country code> <number>" and, in North American regions, 10 digits or 11 with
 * a leading 1, whatever the punctuation. The number is built from its parts and checked
 * against the same metadata, so a valid result is the one the full parser gives (a test
 * holds them equal); anything else, and any number found invalid, goes to the full parser.
 */
function parseCommonForm(value: string, region: string): ParsedPhone | undefined {
  const ext = EXTENSION.exec(value);
  const body = (ext ? value.slice(0, ext.index) : value).trim();
  if (!FORMATTING_ONLY.test(body)) return undefined;
  const digits = body.replace(/\D/g, '');
  let e164: string;
  if (body.startsWith('+')) e164 = `+${digits}`;
  else if (NANP_REGIONS.has(region) && (digits.length === 10 || (digits.length === 11 && digits[0] === '1'))) e164 = `+1${digits.slice(-10)}`;
  else return undefined;
  if (digits.length < 7 || digits.length > 15) return undefined;
  let phone: PhoneNumber;
  try {
    phone = new PhoneNumber(e164 as E164Number, metadata);
  } catch {
    return undefined;
  }
  if (!phone.isValid()) return undefined;
  return { e164: phone.number, extension: ext?.[1] ?? '', type: (phone.getType() ?? '').toLowerCase() };
}

const NANP_REGIONS: ReadonlySet<string> = new Set(getCountries(metadata).filter((c) => getCountryCallingCode(c, metadata) === '1'));

const PHONE_REGIONS: ReadonlySet<string> = new Set(getCountries(metadata));

/**
 * Whether phone numbers can be read in `code` (uppercase): the ISO 3166-1 alpha-2 codes of the
 * countries with a numbering plan, as libphonenumber knows them (and its AC, TA and XK).
 */
export const isPhoneRegion = (code: string): boolean => PHONE_REGIONS.has(code);

/**
 * A postal code in its country's form: US ZIP codes get back the leading zeros a
 * spreadsheet dropped ("2134" → "02134") and ZIP+4 its hyphen; Canadian and UK codes are
 * upper case with their space.
 */
export function normalizePostalCode(value: string, country: string): string {
  const v = value.trim().toUpperCase();
  if (country === 'US') {
    const digits = v.replace(/[\s-]/g, '');
    if (/^\d{3,5}$/.test(digits)) return digits.padStart(5, '0');
    if (/^\d{9}$/.test(digits)) return `${digits.slice(0, 5)}-${digits.slice(5)}`;
    if (/^\d{8}$/.test(digits)) return `0${digits.slice(0, 4)}-${digits.slice(4)}`;
  }
  if (country === 'CA' && /^[A-Z]\d[A-Z]\s*\d[A-Z]\d$/.test(v)) return `${v.slice(0, 3)} ${v.slice(-3)}`;
  if (country === 'GB' && /^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/.test(v)) return `${v.replace(/\s/g, '').slice(0, -3)} ${v.slice(-3)}`;
  return v;
}

/**
 * The country a lead's address is in when no column says: a US state, a Canadian province,
 * an Australian state with a 4-digit postcode, or a UK postcode tells it.
 */
export function inferCountry(state: string, postalCode: string): string | undefined {
  const s = state.trim().toUpperCase();
  const p = postalCode.trim().toUpperCase();
  if (/^[A-Z]\d[A-Z]\s*\d[A-Z]\d$/.test(p) || CA_PROVINCE_CODES.has(s.toLowerCase())) return 'CA';
  if (AU_STATE_CODES.has(s.toLowerCase()) && (p === '' || /^\d{4}$/.test(p))) return 'AU';
  if (US_STATE_CODES.has(s.toLowerCase())) return 'US';
  if (/^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/.test(p)) return 'GB';
  return undefined;
}

/** `https://www.Example.com/path?q` → `example.com`. */
export function normalizeDomain(value: string): string | undefined {
  const v = value.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/^www\./, '');
  const host = v.split(/[/?#:]/)[0] ?? '';
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : undefined;
}

/** Trimmed, inner whitespace collapsed. */
export function clean(value: string | undefined): string {
  return (value ?? '').replace(/\s+/g, ' ').trim();
}

const STATE_CODES = new Set([...US_STATE_CODES, ...CA_PROVINCE_CODES, ...AU_STATE_CODES]);

/**
 * The postal code of a US state, Canadian province or Australian state written any common way:
 * its name ("California"), its code ("ca", "N.Y.", "N.S.W."), or an abbreviation ("Calif.",
 * "Mass.", "W. Va."); undefined for anything else.
 */
export function stateCode(value: string): string | undefined {
  const folded = foldText(value);
  const named = US_STATES[folded] ?? CA_PROVINCES[folded] ?? AU_STATES[folded] ?? STATE_ABBREVIATIONS[folded];
  if (named) return named;
  // Initials with dots or spaces between them: "N.Y.", "n y", "P.E.I.".
  const letters = /^[a-z]( [a-z]){1,2}$/.test(folded) ? folded.replace(/ /g, '') : folded;
  if (STATE_CODES.has(letters)) return letters.toUpperCase();
  return STATE_ABBREVIATIONS[letters];
}

/** "California" → "CA", "new south wales" → "NSW", "ny" → "NY", "Calif." → "CA"; anything else as given. */
export function normalizeState(value: string): string {
  const code = stateCode(value);
  if (code) return code;
  return /^[a-z]{2,3}$/i.test(value.trim()) ? value.trim().toUpperCase() : value;
}

/** "United States", "USA", "Deutschland", "de" → ISO 3166-1 alpha-2; undefined when unknown. */
export function normalizeCountry(value: string): string | undefined {
  const folded = foldText(value);
  if (folded.length === 2 && COUNTRY_CODES.has(folded)) return folded.toUpperCase();
  return COUNTRY_NAMES.get(folded);
}
