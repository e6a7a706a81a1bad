import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
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

/** A North American area code's country (each belongs to one), learnt from the first number parsed with it. */
const nanpCountry = new Map<string, string>();

/**
 * The region of an E.164 number without parsing it where its calling code has one country, or
 * for North America once per area code; undefined where only a parse can tell (+44 7781 is
 * Guernsey, +44 7400 Great Britain).
 */
function countryOf(e164: string): string | undefined {
  for (let n = 1; n <= 3; n++) {
    const countries = CODE_COUNTRIES.get(e164.slice(1, 1 + n));
    if (!countries) continue;
    if (countries.length === 1) return countries[0];
    if (n === 1 && e164[1] === '1') return nanpCountry.get(e164.slice(2, 5));
    return undefined;
  }
  return undefined;
}

/** The zones of the longest prefix of the digits that the map knows, as a shared array. */
export function phoneTimeZones(digits: string): string[] {
  for (let n = Math.min(digits.length, 9); n > 0; n--) {
    const prefix = digits.slice(0, n);
    const zones = PHONE_TIME_ZONES[prefix];
    if (zones === undefined) continue;
    let list = zoneCache.get(zones);
    if (!list) zoneCache.set(zones, (list = zones === 'Etc/Unknown' ? [] : zones.split('&')));
    return list;
  }
  return [];
}

/**
 * Line type, place and time zones of an E.164 number, from the numbering plan alone (no lookup
 * of the line). `planType` is the type mapping already read from the plan when it cleaned the
 * number (libphonenumber's name in lowercase: "fixed_line_or_mobile"); with it, and a region
 * known from the calling code, the number is not parsed again (a parse costs most of enrichment).
 */
export function phoneInfo(e164: string, planType = ''): PhoneInfo | undefined {
  if (!e164.startsWith('+')) return undefined;
  let country = planType ? countryOf(e164) : undefined;
  let type: PhoneType;
  if (country !== undefined) {
    type = TYPES[planType.toUpperCase()] ?? (PHONE_TYPES.has(planType) ? (planType as PhoneType) : 'unknown');
  } else {
    const number = parsePhoneNumberFromString(e164);
    if (!number) return undefined;
    type = TYPES[number.getType() ?? ''] ?? 'unknown';
    country = number.country ?? '';
    if (number.countryCallingCode === '1' && country) nanpCountry.set(e164.slice(2, 5), country);
  }
  const place = e164[1] === '1' ? (NANP_AREA_PLACES[e164.slice(2, 5)] ?? country) : country;
  return { type, country, place, timeZones: phoneTimeZones(e164.slice(1)) };
}
