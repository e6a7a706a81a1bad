import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
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

/** Line type, place and time zones of an E.164 number, from the numbering plan alone (no lookup of the line). */
export function phoneInfo(e164: string): PhoneInfo | undefined {
  if (!e164) return undefined;
  const number = parsePhoneNumberFromString(e164);
  if (!number) return undefined;
  const type = TYPES[number.getType() ?? ''] ?? 'unknown';
  const country = number.country ?? '';
  const national = number.nationalNumber as string;
  const place = number.countryCallingCode === '1' ? (NANP_AREA_PLACES[national.slice(0, 3)] ?? country) : country;
  return { type, country, place, timeZones: phoneTimeZones(e164.replace(/^\+/, '')) };
}
