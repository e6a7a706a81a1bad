/**
 * Values for the labelled header corpora: what a column with that label holds in a real file,
 * in the locale of the file, drawn from a seeded generator so every run sees the same data.
 *
 * A label is a lead field (`email`), `extra` (values guessed from the header, as the first
 * corpora were written), or `extra:<kind>`: a column that must stay extra and holds values of
 * that kind — a lead field's (`extra:phone`, a second number) or one of EXTRA_KINDS
 * (`extra:person`, an owner's name; `extra:sfid`, a record id).
 */
import {
  COMPANIES, CITIES, DOMAINS, FIRST, LAST, TITLES, digits, formatDate, localeData, usPhone, type Locale, type Rng,
} from './corpus-locales.js';

export function seeded(seed: number): Rng {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const STREETS = ['Main St', 'Oak Avenue', 'Park Road', 'Elm Drive', 'High Street', 'Sunset Blvd', 'King St', 'Maple Lane'];
const STATES = ['CA', 'NY', 'TX', 'Florida', 'IL', 'WA', 'Ohio', 'MA', 'GA', 'New Jersey'];
const COUNTRIES = ['United States', 'USA', 'US', 'Germany', 'DE', 'France', 'United Kingdom', 'Canada', 'Australia'];

const email = (r: Rng) => `${r.pick(FIRST).toLowerCase().normalize('NFKD').replace(/[^a-z]/g, '')}.${r.pick(LAST).toLowerCase().replace(/[^a-z]/g, '')}${r.int(1, 99)}@${r.pick(DOMAINS)}`;

const pickOr = <T>(r: Rng, own: readonly T[] | undefined, shared: readonly T[]) => r.pick(own ?? shared);
const firstName = (r: Rng, l: Locale) => pickOr(r, l.first, FIRST);
const lastName = (r: Rng, l: Locale) => pickOr(r, l.last, LAST);
const fullName = (r: Rng, l: Locale) => {
  const first = firstName(r, l);
  const last = lastName(r, l);
  return l.fullName ? l.fullName(first, last) : `${first} ${last}`;
};

/** Lead fields' values. The earlier corpora's locales (de, fr, uk, au, ca, nl) keep their values. */
const BY_LABEL: Record<string, (r: Rng, locale: string) => string> = {
  first_name: (r, c) => firstName(r, localeData(c)),
  last_name: (r, c) => lastName(r, localeData(c)),
  full_name: (r, c) => fullName(r, localeData(c)),
  email,
  phone: (r, c) => (localeData(c).phone ?? usPhone)(r),
  company: (r, c) => pickOr(r, localeData(c).companies, COMPANIES),
  job_title: (r, c) => pickOr(r, localeData(c).titles, TITLES),
  street: (r, c) => localeData(c).street?.(r) ?? `${r.int(1, 9999)} ${r.pick(STREETS)}`,
  address_line2: (r) => r.pick([`Suite ${r.int(100, 999)}`, `Apt ${r.int(1, 40)}B`, `Floor ${r.int(2, 30)}`, '']),
  city: (r, c) => pickOr(r, localeData(c).cities, CITIES),
  state: (r, c) => (c === 'au' ? r.pick(['NSW', 'VIC', 'QLD', 'WA']) : c === 'ca' ? r.pick(['ON', 'QC', 'BC', 'Alberta']) : pickOr(r, localeData(c).states, STATES)),
  postal_code: (r, c) =>
    localeData(c).postal?.(r) ??
    (c === 'uk' ? r.pick(['SW1A 1AA', 'M1 1AE', 'B33 8TH', 'LS1 4AP']) : c === 'ca' ? r.pick(['K1A 0B1', 'M5V 3L9', 'H2X 1Y4']) : c === 'au' ? String(r.int(2000, 7999)) : c === 'nl' ? `${r.int(1000, 9999)} AB` : String(r.int(1001, 99950)).padStart(5, '0')),
  country: (r, c) => pickOr(r, localeData(c).countries, COUNTRIES),
  domain: (r) => r.pick(['acme.com', 'https://www.globex.io', 'www.initech.net/about', 'hooli.com', 'http://umbrella.org']),
  industry: (r) => r.pick(['Software', 'Healthcare', 'Retail', 'Manufacturing', 'Financial Services', 'Education']),
  source: (r) => r.pick(['Google Ads', 'Webinar', 'Referral', 'Trade Show', 'LinkedIn', 'Organic']),
  extra_phone: usPhone,
  extra_salutation: (r) => r.pick(['Mr', 'Ms', 'Mrs', 'Dr', 'Mr.', 'Herr', 'Frau', 'M.', 'Mme']),
  email_in_phone: email,
  phone_in_email: usPhone,
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (r: Rng, n: number, from = ALNUM) => Array.from({ length: n }, () => from[r.int(0, from.length - 1)]).join('');
const hex = (r: Rng, n: number) => chars(r, n, '0123456789abcdef');
const dateTime = (r: Rng, l: Locale) => `${formatDate(r, l.dateOrder)} ${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}`;

/** Values of columns that are not the lead's own data, by kind. */
const EXTRA_KINDS: Record<string, (r: Rng, l: Locale, header: string) => string> = {
  person: (r, l) => fullName(r, l),
  id: (r) => String(r.int(10_000_000, 99_999_999_999)),
  sfid: (r) => `${r.pick(['00Q', '003', '001', '005'])}5g00000${chars(r, 8)}`,
  zohoid: (r) => `zcrm_4150868000${digits(r, 9)}`,
  closeid: (r) => `lead_${chars(r, 43)}`,
  // Meta's download prefixes each id with its kind: l: lead, ag: ad, as: ad set, c: campaign, f: form.
  fbid: (r, _l, header) => `${{ id: 'l', ad_id: 'ag', adset_id: 'as', campaign_id: 'c', form_id: 'f' }[header] ?? 'l'}:${digits(r, 17)}`,
  gid: (r) => `${chars(r, 6)}-${chars(r, 20)}-${chars(r, 18)}`,
  gclid: (r) => `Cj0KCQjw${chars(r, 60)}`,
  guid: (r) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${r.pick(['8', '9', 'a', 'b'])}${hex(r, 3)}-${hex(r, 12)}`,
  hash: (r) => `${chars(r, 40)}==`,
  hex: (r) => hex(r, 24),
  wecomid: (r) => `wm${chars(r, 30)}`,
  urn: (r) => `urn:li:leadFormResponse:${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`,
  duns: (r) => digits(r, 9),
  brn: (r) => `${digits(r, 3)}-${digits(r, 2)}-${digits(r, 5)}`,
  row_number: (r) => String(r.int(1, 500)),
  text: (r, l) => r.pick(l.notes ?? ['call back next week', 'interested in pricing', '', 'VIP', 'n/a', 'met at conference']),
  ad_name: (r) => r.pick(['Spring Promo – Carousel 2', 'Retargeting 30d – Video 15s', 'Lookalike 1% – Static', 'Webinar Q3 – Lead Ad']),
  form_name: (r) => r.pick(['Webinar Sign-up Form', 'Get a Quote (US)', 'Demo Request – EMEA', 'Newsletter 2024']),
  deal_name: (r, l) => `${pickOr(r, l.companies, COMPANIES)} ${r.pick(['딜', 'Deal', '– 40 licences'])}`,
  platform: (r) => r.pick(['fb', 'ig']),
  status: (r, l) => r.pick(l.statuses ?? ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'New', 'Qualified', 'Unqualified', 'lead', 'customer']),
  rating: (r) => r.pick(['Hot', 'Warm', 'Cold']),
  rating_number: (r) => String(r.int(1, 5)),
  number: (r) => String(r.int(1, 500_000)),
  small_number: (r) => String(r.int(-8, 12)),
  coordinate: (r) => (r.next() * 180 - 90).toFixed(4),
  date: (r, l) => formatDate(r, l.dateOrder),
  datetime: (r, l) => dateTime(r, l),
  iso_datetime: (r) => `${formatDate(r)}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}+0000`,
  birthday: (r) => `${String(r.int(1, 12)).padStart(2, '0')}/${String(r.int(1, 28)).padStart(2, '0')}`,
  bool: (r) => r.pick(['true', 'false']),
  ip: (r) => `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
  timezone: (r) => r.pick(['America/New_York', 'America/Chicago', 'Europe/London', 'America/Los_Angeles']),
  kana: (r, l) => r.pick(l.kana ?? ['サトウ']),
  linkedin: (r) => `https://www.linkedin.com/in/${r.pick(FIRST).toLowerCase().normalize('NFKD').replace(/[^a-z]/g, '')}-${hex(r, 6)}`,
  domain: (r) => r.pick(DOMAINS),
  company: (r, l) => pickOr(r, l.companies, COMPANIES),
  country_code: (r) => r.pick(['US', 'GB', 'DE', 'FR', 'CA']),
  department: (r, l) => r.pick(l.departments ?? ['Sales', 'Marketing', 'Engineering', 'Finance', 'Operations']),
  seniority: (r) => r.pick(['Director', 'Manager', 'VP', 'C-Suite', 'Senior', 'Entry']),
  email_status: (r) => r.pick(['Verified', 'Guessed', 'Unavailable', 'Valid', 'Catch-all']),
  middle_name: (r) => r.pick(['J.', 'Marie', 'A.', 'Lee', '', 'R.']),
  handle: (r) => `${r.pick(FIRST).toLowerCase().normalize('NFKD').replace(/[^a-z]/g, '')}.${hex(r, 3)}`,
  territory: (r) => r.pick(['West', 'East', 'EMEA', 'APAC']),
  lead_type: (r) => r.pick(['Sponsored', 'Event', 'Company']),
  company_size: (r) => r.pick(['11-50', '51-200', '201-500', '1001-5000']),
  location: (r) => `${r.pick(CITIES)}, ${r.pick(['United States', 'United Kingdom', 'Germany'])}`,
  station: (r) => r.pick(['JR渋谷駅', '梅田駅', '横浜駅', '札幌駅']),
  creation_log: (r, l) => `${fullName(r, l)} ${dateTime(r, l)}`,
};

/** Values of an `extra` column, guessed from its header the way such columns look in real files. */
function extraValue(header: string, r: Rng): string {
  const h = header.toLowerCase();
  if (/date|time|dob|birth|registered|trial|created|_end/.test(h)) return `20${r.int(10, 25)}-0${r.int(1, 9)}-${r.int(10, 28)}`;
  if (/opt|attended|\?/.test(h)) return r.pick(['Yes', 'No', 'Y', 'N']);
  if (/revenue|employees|score|^id$/.test(h)) return String(r.int(1, 50000));
  if (/^ip/.test(h)) return `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  if (/phone/.test(h)) return usPhone(r);
  if (/email/.test(h)) return email(r);
  if (/anrede|civilit/.test(h)) return r.pick(['Herr', 'Frau', 'M.', 'Mme']);
  if (/county/.test(h)) return r.pick(['Kent', 'Surrey', 'Essex', 'Devon']);
  if (/booth|scanner/.test(h)) return `${r.pick(['Booth', 'Scanner'])} ${r.int(1, 40)}`;
  if (/plan/.test(h)) return r.pick(['free', 'pro', 'team']);
  return r.pick(['call back next week', 'interested in pricing', '', 'VIP', 'n/a', 'met at conference']);
}

function generator(label: string, header: string, locale: string): (r: Rng) => string {
  if (label === 'extra') return (r) => extraValue(header, r);
  const kind = label.startsWith('extra:') ? label.slice('extra:'.length) : undefined;
  if (kind === undefined) return (r) => BY_LABEL[label]!(r, locale);
  if (BY_LABEL[kind]) return (r) => BY_LABEL[kind]!(r, locale);
  const extra = EXTRA_KINDS[kind];
  if (!extra) throw new Error(`corpus label "${label}" (header "${header}") has no value generator`);
  return (r) => extra(r, localeData(locale), header);
}

/** A column's values: `rows` of them. House-number columns ("Huisnummer", "Street No") hold numbers. */
export function columnValues(locale: string, header: string, label: string, rows: number, seed: number): string[] {
  const r = seeded(seed);
  const numberColumn = /huisnummer|street no/i.test(header);
  const value = generator(label, header, locale);
  return Array.from({ length: rows }, () => (numberColumn ? String(r.int(1, 300)) : value(r)));
}

/** The field a label expects the mapping to choose. */
export function expectedField(label: string): string {
  if (label.startsWith('extra')) return 'extra';
  return { email_in_phone: 'email', phone_in_email: 'phone' }[label] ?? label;
}
