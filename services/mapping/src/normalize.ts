import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { AU_STATES, CA_PROVINCES, COUNTRY_CODES, COUNTRY_NAMES, foldText, US_STATES } from './reference-data.js';

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
  const parsed = parsePhoneNumberFromString(value, { defaultCountry: defaultRegion as CountryCode, extract: false });
  return parsed?.isValid() ? parsed.number : undefined;
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

/** "California" → "CA", "new south wales" → "NSW", "ny" → "NY"; anything else as given. */
export function normalizeState(value: string): string {
  const folded = foldText(value);
  const code = US_STATES[folded] ?? CA_PROVINCES[folded] ?? AU_STATES[folded];
  if (code) return code;
  return /^[a-z]{2,3}$/i.test(value.trim()) ? value.trim().toUpperCase() : value;
}

/** "United States", "USA", "Deutschland", "de" → ISO 3166-1 alpha-2; undefined when unknown. */
export function normalizeCountry(value: string): string | undefined {
  const folded = foldText(value);
  if (folded.length === 2 && COUNTRY_CODES.has(folded)) return folded.toUpperCase();
  return COUNTRY_NAMES.get(folded);
}
