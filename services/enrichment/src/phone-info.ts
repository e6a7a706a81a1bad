import { getCountries, getCountryCallingCode, Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { NANP_AREA_PLACES, PHONE_TIME_ZONES } from './data/phone-zones.js';

export type PhoneType =
  | 'mobile' | 'fixed_line' | 'toll_free' | 'premium' | 'voip' | 'shared_cost' | 'personal' | 'pager' | 'uan'
  | 'voicemail' | 'unknown';

/** libphonenumber's number types. FIXED_LINE_OR_MOBILE (most North American numbers) is `unknown`: the plan cannot tell. */
const TYPES: Readonly<Record<string, PhoneType>> = {
  MOBILE: 'mobile', FIXED_LINE: 'fixed_line', FIXED_LINE_OR_MOBILE: 'unknown', TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium', VOIP: 'voip', SHARED_COST: 'shared_cost', PERSONAL_NUMBER: 'personal', PAGER: 'pager',
  UAN: 'uan', VOICEMAIL: 'voicemail',
};

/** Our names of line types: a lead that already carries one was enriched before. */
export const PHONE_TYPES: ReadonlySet<string> = new Set([...Object.values(TYPES), 'unknown']);

export interface PhoneInfo {
  type: PhoneType;
  /** ISO 3166-1 alpha-2 region of the number; '' when the plan does not say (+1 800 numbers). */
  country: string;
  /** For North America the area code's state or province ("New Jersey", "Ontario"); else the country. */
  place: string;
  /** IANA time zones the number's prefix can be in, most specific prefix first; empty when unknown. */
  timeZones: string[];
}

const zoneCache = new Map<string, string[]>();

/** Calling code → its countries, from libphonenumber's metadata. */
const CODE_COUNTRIES: ReadonlyMap<string, string[]> = (() => {
  const codes = new Map<string, string[]>();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    codes.set(code, [...(codes.get(code) ?? []), country]);
  }
  return codes;
})();

/** The longest prefix of the time zone map by first digit: no longer prefix of a number is looked up. */
const LONGEST_PREFIX: readonly number[] = (() => {
  const longest = Array.from({ length: 10 }, () => 0);
  for (const prefix of Object.keys(PHONE_TIME_ZONES)) longest[Number(prefix[0])] = Math.max(longest[Number(prefix[0])]!, prefix.length);
  return longest;
})();

/**
 * The time zone map by the prefix's value: a prefix of digits without a leading zero is one number
 * (no two lengths share one), looked up without building the prefix's string.
 */
const ZONES_BY_PREFIX: ReadonlyMap<number, string> = (() => {
  const byValue = new Map<number, string>();
  for (const [prefix, zones] of Object.entries(PHONE_TIME_ZONES)) {
    if (!/^[1-9]\d{0,14}$/.test(prefix)) throw new Error(`phone zone prefix ${prefix} is not digits without a leading zero`);
    byValue.set(Number(prefix), zones);
  }
  return byValue;
})();

/** The values of a number's prefixes, by length less one (reused between calls). */
const prefixValues = new Float64Array(16);

/** The zones of the longest prefix of the digits that the map knows, as a shared array. */
export function phoneTimeZones(digits: string): string[] {
  let longest = Math.min(digits.length, LONGEST_PREFIX[digits.charCodeAt(0) - 48] ?? 0, prefixValues.length);
  let value = 0;
  for (let n = 0; n < longest; n++) {
    const digit = digits.charCodeAt(n) - 48;
    // A prefix with a character other than a digit is no key: only the shorter ones can be.
    if (digit < 0 || digit > 9) {
      longest = n;
      break;
    }
    prefixValues[n] = value = value * 10 + digit;
  }
  for (let n = longest; n > 0; n--) {
    const zones = ZONES_BY_PREFIX.get(prefixValues[n - 1]!);
    if (zones === undefined) continue;
    let list = zoneCache.get(zones);
    if (!list) zoneCache.set(zones, (list = zones === 'Etc/Unknown' ? [] : zones.split('&')));
    return list;
  }
  return [];
}

/** phoneTimeZones as first written, by the prefixes' strings: the definition it is tested against. */
export function phoneTimeZonesReference(digits: string): string[] {
  for (let n = Math.min(digits.length, LONGEST_PREFIX[digits.charCodeAt(0) - 48] ?? 0); n > 0; n--) {
    const zones = PHONE_TIME_ZONES[digits.slice(0, n)];
    if (zones === undefined) continue;
    return zones === 'Etc/Unknown' ? [] : zones.split('&');
  }
  return [];
}

/**
 * Our name of a type mapping read (libphonenumber's name in lower case, "fixed_line_or_mobile"),
 * or ours kept from an earlier enrichment; undefined for anything else (then the plan is read).
 */
export function planTypeName(planType: string): PhoneType | undefined {
  if (!planType) return undefined;
  let name = planTypeNames.get(planType);
  if (name === undefined) {
    name = TYPES[planType.toUpperCase()] ?? (PHONE_TYPES.has(planType) ? (planType as PhoneType) : null);
    if (planTypeNames.size < 1000) planTypeNames.set(planType, name);
  }
  return name ?? undefined;
}

/** planTypeName's answers: a handful of names, kept so that no name is upper-cased per lead. */
const planTypeNames = new Map<string, PhoneType | null>();

/**
 * Line type, place and time zones of an E.164 number, from the numbering plan alone (no lookup
 * of the line). `planType` is the type mapping already read from the plan when it cleaned the
 * number (libphonenumber's name in lowercase: "fixed_line_or_mobile"), or ours from an earlier
 * enrichment; without one, the type is the plan's. The reference: it parses the number every
 * time (enrichLead's fast path, phoneFacts, answers the same without parsing).
 */
export function phoneInfo(e164: string, planType = ''): PhoneInfo | undefined {
  if (!e164.startsWith('+')) return undefined;
  const number = parsePhoneNumberFromString(e164);
  if (!number) return undefined;
  const type = planTypeName(planType) ?? TYPES[number.getType() ?? ''] ?? 'unknown';
  const country = number.country ?? '';
  const place = e164[1] === '1' ? (NANP_AREA_PLACES[e164.slice(2, 5)] ?? country) : country;
  return { type, country, place, timeZones: phoneTimeZones(e164.slice(1)) };
}

/** The countries of a number's calling code (its first 1 to 3 digits); undefined for no known code. */
export function callingCodeCountries(e164: string): readonly string[] | undefined {
  for (let n = 1; n <= 3; n++) {
    const countries = CODE_COUNTRIES.get(e164.slice(1, 1 + n));
    if (countries) return countries;
  }
  return undefined;
}

/**
 * A plus and 8 to 15 digits, as mapping writes a number (E.164): libphonenumber always parses
 * such a number of a known calling code, so that phoneFacts may skip the parse.
 */
export const PLAIN_E164 = /^\+[1-9]\d{7,14}$/;

/**
 * The countries of a calling code in the order a parse tries them, each with its "leading digits"
 * pattern (undefined when it has none). A parse of a number of a shared calling code picks the
 * first country whose leading digits start the national number, or else whose number patterns
 * it matches (libphonenumber-js getCountryByNationalNumber), or none.
 */
export function callingCodePlans(callingCode: string): [country: string, leadingDigits: string | undefined][] {
  // Methods the class has but its types leave out.
  const metadata = new Metadata() as unknown as {
    getCountryCodesForCallingCode(code: string): string[] | undefined;
    selectNumberingPlan(country: string): void;
    leadingDigits(): unknown;
  };
  return (metadata.getCountryCodesForCallingCode(callingCode) ?? []).map((country: string) => {
    metadata.selectNumberingPlan(country);
    const leading = metadata.leadingDigits();
    return [country, typeof leading === 'string' && leading !== '' ? leading : undefined];
  });
}
