import { normalizeCountry, stateCode } from './normalize.js';
import { AU_STATE_CODES, CA_PROVINCE_CODES, US_STATE_CODES } from './reference-data.js';

export interface AddressParts {
  street: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

const POSTAL = {
  US: /^\d{5}(?:-\d{4})?$/,
  CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i,
  AU: /^\d{4}$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i,
};

function stateCountry(state: string): string | undefined {
  const code = state.toLowerCase();
  if (US_STATE_CODES.has(code)) return 'US';
  if (CA_PROVINCE_CODES.has(code)) return 'CA';
  if (AU_STATE_CODES.has(code)) return 'AU';
  return undefined;
}

/**
 * Splits a one-line address into its parts when the pattern is clear: "123 Main St,
 * Springfield, IL 62704", "100 Queen St W, Toronto, ON M5H 2N2", "44 Forbes Street,
 * Wintersloe VIC 4510", "10 Downing St, London SW1A 2AA", optionally ending in a country.
 * Undefined when it is not clear: the line is then kept whole as the street.
 */
export function splitAddress(line: string): AddressParts | undefined {
  const parts = line.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return undefined;
  let country = '';
  const maybeCountry = normalizeCountry(parts.at(-1)!);
  if (maybeCountry && parts.length >= 3 && !/\d/.test(parts.at(-1)!)) {
    country = maybeCountry;
    parts.pop();
  }
  const last = parts.pop()!;
  // "Springfield IL 62704", "IL 62704", "ON M5H 2N2", "Wintersloe VIC 4510", "London SW1A 2AA"
  const m = /^(.*?)\s*\b([A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d|[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}|\d{5}(?:-\d{4})?|\d{4})$/.exec(last);
  if (!m) return undefined;
  const postal = m[2]!.toUpperCase();
  const words = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
  let state = '';
  let fromState: string | undefined;
  // The state in its last two words ("West Virginia", "W. Va.", "N. Dak.") or its last one ("IL", "Calif.").
  for (const n of [2, 1]) {
    const code = words.length >= n ? stateCode(words.slice(-n).join(' ')) : undefined;
    fromState = code ? stateCountry(code) : undefined;
    if (fromState) {
      state = code!;
      words.splice(-n);
      break;
    }
  }
  const inferred = country || fromState || (POSTAL.GB.test(postal) && !POSTAL.US.test(postal) && !POSTAL.AU.test(postal) ? 'GB' : '');
  if (!inferred) return undefined;
  const postalFits = POSTAL[inferred as keyof typeof POSTAL]?.test(postal) ?? true;
  if (!postalFits) return undefined;
  let city = words.join(' ');
  if (!city && parts.length >= 2) city = parts.pop()!;
  if (parts.length === 0 || !city) return undefined;
  return { street: parts.join(', '), city, state, postalCode: postal, country: inferred };
}
