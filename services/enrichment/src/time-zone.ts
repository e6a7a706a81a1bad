import { rawTimeZones } from '@vvo/tzdb';
import { createRequire } from 'node:module';

/** CommonJS without types: lookup(zip) → IANA zone or null (US ZIP codes); its table loaded on first use. */
interface ZipTable { lookup(zip: string): string | null }
let zipTable: ZipTable | undefined;
const zipcodeToTimezone = () => (zipTable ??= createRequire(import.meta.url)('zipcode-to-timezone') as ZipTable);

/**
 * The zone of most of each state's people. Where a state spans two zones (Florida's panhandle,
 * west Texas, most of the Dakotas' west), the postal code, when given, decides first.
 */
const US_STATE_ZONES: Readonly<Record<string, string>> = {
  AL: 'America/Chicago', AK: 'America/Anchorage', AZ: 'America/Phoenix', AR: 'America/Chicago', CA: 'America/Los_Angeles',
  CO: 'America/Denver', CT: 'America/New_York', DE: 'America/New_York', DC: 'America/New_York', FL: 'America/New_York',
  GA: 'America/New_York', HI: 'Pacific/Honolulu', ID: 'America/Boise', IL: 'America/Chicago', IN: 'America/Indiana/Indianapolis',
  IA: 'America/Chicago', KS: 'America/Chicago', KY: 'America/New_York', LA: 'America/Chicago', ME: 'America/New_York',
  MD: 'America/New_York', MA: 'America/New_York', MI: 'America/Detroit', MN: 'America/Chicago', MS: 'America/Chicago',
  MO: 'America/Chicago', MT: 'America/Denver', NE: 'America/Chicago', NV: 'America/Los_Angeles', NH: 'America/New_York',
  NJ: 'America/New_York', NM: 'America/Denver', NY: 'America/New_York', NC: 'America/New_York', ND: 'America/Chicago',
  OH: 'America/New_York', OK: 'America/Chicago', OR: 'America/Los_Angeles', PA: 'America/New_York', RI: 'America/New_York',
  SC: 'America/New_York', SD: 'America/Chicago', TN: 'America/Chicago', TX: 'America/Chicago', UT: 'America/Denver',
  VT: 'America/New_York', VA: 'America/New_York', WA: 'America/Los_Angeles', WV: 'America/New_York', WI: 'America/Chicago',
  WY: 'America/Denver', PR: 'America/Puerto_Rico', GU: 'Pacific/Guam', VI: 'America/St_Thomas', AS: 'Pacific/Pago_Pago',
  MP: 'Pacific/Saipan',
};

const CA_PROVINCE_ZONES: Readonly<Record<string, string>> = {
  AB: 'America/Edmonton', BC: 'America/Vancouver', MB: 'America/Winnipeg', NB: 'America/Moncton', NL: 'America/St_Johns',
  NS: 'America/Halifax', NT: 'America/Yellowknife', NU: 'America/Iqaluit', ON: 'America/Toronto', PE: 'America/Halifax',
  QC: 'America/Toronto', SK: 'America/Regina', YT: 'America/Whitehorse',
};

const AU_STATE_ZONES: Readonly<Record<string, string>> = {
  NSW: 'Australia/Sydney', VIC: 'Australia/Melbourne', QLD: 'Australia/Brisbane', SA: 'Australia/Adelaide',
  WA: 'Australia/Perth', TAS: 'Australia/Hobart', ACT: 'Australia/Sydney', NT: 'Australia/Darwin',
};

const STATE_ZONES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  US: US_STATE_ZONES, CA: CA_PROVINCE_ZONES, AU: AU_STATE_ZONES,
};

/** The one zone of each country that has one (tz database, via @vvo/tzdb); multi-zone countries are absent. */
const COUNTRY_ZONE: ReadonlyMap<string, string> = (() => {
  const zones = new Map<string, string[]>();
  for (const z of rawTimeZones) zones.set(z.countryCode, [...(zones.get(z.countryCode) ?? []), z.name]);
  return new Map([...zones].filter(([, names]) => names.length === 1).map(([cc, names]) => [cc, names[0]!]));
})();

export interface TimeZoneInput {
  postalCode: string;
  state: string;
  country: string;
  /** The phone number's possible zones (phoneInfo) and its country, for a lead without a usable address. */
  phoneZones: readonly string[];
  phoneCountry: string;
}

/** The one zone of a country, or '' when it has several or is unknown. */
export const countryZone = (country: string): string => COUNTRY_ZONE.get(country) ?? '';

/**
 * The lead's IANA time zone: from its US ZIP code, else its state or province, else its
 * country when the country has one zone, else its phone number when the number's prefix (or
 * country) has one zone; '' when none of them decides.
 */
export function leadTimeZone(input: TimeZoneInput): string {
  return zoneOf(input.postalCode, input.state, input.country, input.phoneZones, () => input.phoneCountry);
}

const ZIP = /^\d{5}(-\d{4})?$/;

/**
 * leadTimeZone with the phone's country asked only when the address leaves it to the phone (most
 * leads have a ZIP code or a state): finding a North American number's country takes a parse.
 * `phoneCountryZone`, when given, answers countryZone(phoneCountry()) for the last step.
 */
export function zoneOf(
  postalCode: string, state: string, addressCountry: string, phoneZones: readonly string[], phoneCountry: () => string,
  phoneCountryZone?: () => string,
): string {
  const country = addressCountry || (state && US_STATE_ZONES[state] ? 'US' : '');
  if ((country === 'US' || country === '') && ZIP.test(postalCode)) {
    const zone = zipcodeToTimezone().lookup(postalCode.slice(0, 5));
    if (zone) return zone;
  }
  const byState = state ? STATE_ZONES[country]?.[state] : undefined;
  if (byState) return byState;
  const byCountry = countryZone(country);
  if (byCountry) return byCountry;
  if (country && country !== phoneCountry()) return '';
  if (phoneZones.length === 1) return phoneZones[0]!;
  // countryZone of the phone's country: the caller may know it without the country (enrichLead).
  if (phoneCountryZone) return phoneCountryZone();
  const fromPhone = phoneCountry();
  return fromPhone ? countryZone(fromPhone) : '';
}
