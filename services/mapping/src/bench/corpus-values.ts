/**
 * Values for the labelled header corpus: what a column with that label holds in a real file,
 * in the locale of the file, drawn from a seeded generator so every run sees the same data.
 */
export function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

type Rng = ReturnType<typeof seeded>;

const FIRST = ['Ann', 'Robert', 'Maria', 'Kenji', 'Fatima', 'Liam', 'Chloé', 'Jürgen', 'Sofia', 'Priya', 'Tomasz', 'Aoife', 'Mateo', 'Ingrid', 'Dmitri', 'Ngozi', 'Keanu', 'Bronwyn', 'Siobhan', 'Raj'];
const LAST = ['Smith', 'García', "O'Brien", 'Müller', 'Nakamura', 'Okafor', 'van der Berg', 'Rossi', 'Dubois', 'Kowalski', 'Haddad', 'Nguyen', 'MacDonald', 'Silva', 'Johansson'];
const COMPANIES = ['Acme Inc', 'Globex Corporation', 'Initech LLC', 'Umbrella Group', 'Stark Industries', 'Blue Harbor', 'Nordlicht GmbH', 'Soylent Ltd', 'Hooli', 'Vandelay Industries', 'Wayne Enterprises', 'Tyrell Systems'];
const TITLES = ['Sales Manager', 'CEO', 'Marketing Director', 'Software Engineer', 'VP Operations', 'Account Executive', 'Office Manager', 'Head of IT', 'Founder', 'Procurement Lead'];
const STREETS = ['Main St', 'Oak Avenue', 'Park Road', 'Elm Drive', 'High Street', 'Sunset Blvd', 'King St', 'Maple Lane'];
const CITIES = ['Springfield', 'Boston', 'Austin', 'Denver', 'Leeds', 'Lyon', 'Madrid', 'Milano', 'Utrecht', 'Perth', 'Toronto', 'Curitiba'];
const STATES = ['CA', 'NY', 'TX', 'Florida', 'IL', 'WA', 'Ohio', 'MA', 'GA', 'New Jersey'];
const DOMAINS = ['acme.com', 'globex.io', 'initech.net', 'umbrella.org', 'hooli.com', 'vandelay.co.uk'];

const email = (r: Rng) => `${r.pick(FIRST).toLowerCase().normalize('NFKD').replace(/[^a-z]/g, '')}.${r.pick(LAST).toLowerCase().replace(/[^a-z]/g, '')}${r.int(1, 99)}@${r.pick(DOMAINS)}`;
const usPhone = (r: Rng) => {
  const d = `${r.pick(['201', '212', '312', '415', '617', '702'])}${r.int(200, 989)}${String(r.int(0, 9999)).padStart(4, '0')}`;
  return r.pick([`(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, `+1 ${d}`, d]);
};

const BY_LABEL: Record<string, (r: Rng, locale: string) => string> = {
  first_name: (r) => r.pick(FIRST),
  last_name: (r) => r.pick(LAST),
  full_name: (r) => `${r.pick(FIRST)} ${r.pick(LAST)}`,
  email,
  phone: (r, locale) =>
    locale === 'de' ? `+49 30 ${r.int(1000000, 9999999)}` : locale === 'fr' ? `+33 1 ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}` : usPhone(r),
  company: (r) => r.pick(COMPANIES),
  job_title: (r) => r.pick(TITLES),
  street: (r, locale) => (locale === 'de' ? `Hauptstraße ${r.int(1, 200)}` : locale === 'fr' ? `${r.int(1, 99)} rue de la Paix` : `${r.int(1, 9999)} ${r.pick(STREETS)}`),
  address_line2: (r) => r.pick([`Suite ${r.int(100, 999)}`, `Apt ${r.int(1, 40)}B`, `Floor ${r.int(2, 30)}`, '']),
  city: (r) => r.pick(CITIES),
  state: (r, locale) => (locale === 'au' ? r.pick(['NSW', 'VIC', 'QLD', 'WA']) : locale === 'ca' ? r.pick(['ON', 'QC', 'BC', 'Alberta']) : r.pick(STATES)),
  postal_code: (r, locale) =>
    locale === 'uk' ? r.pick(['SW1A 1AA', 'M1 1AE', 'B33 8TH', 'LS1 4AP']) : locale === 'ca' ? r.pick(['K1A 0B1', 'M5V 3L9', 'H2X 1Y4']) : locale === 'au' ? String(r.int(2000, 7999)) : locale === 'nl' ? `${r.int(1000, 9999)} AB` : String(r.int(1001, 99950)).padStart(5, '0'),
  country: (r) => r.pick(['United States', 'USA', 'US', 'Germany', 'DE', 'France', 'United Kingdom', 'Canada', 'Australia']),
  domain: (r) => r.pick(['acme.com', 'https://www.globex.io', 'www.initech.net/about', 'hooli.com', 'http://umbrella.org']),
  industry: (r) => r.pick(['Software', 'Healthcare', 'Retail', 'Manufacturing', 'Financial Services', 'Education']),
  source: (r) => r.pick(['Google Ads', 'Webinar', 'Referral', 'Trade Show', 'LinkedIn', 'Organic']),
  extra_phone: usPhone,
  extra_salutation: (r) => r.pick(['Mr', 'Ms', 'Mrs', 'Dr', 'Mr.', 'Herr', 'Frau', 'M.', 'Mme']),
  email_in_phone: email,
  phone_in_email: usPhone,
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

const LOCALE: Record<string, string> = {
  'german-supplier': 'de', 'french-supplier': 'fr', australian: 'au', 'uk-supplier': 'uk', canadian: 'ca', 'dutch-supplier': 'nl', directory: 'au',
};

/** A column's values: `rows` of them. House-number columns ("Huisnummer", "Street No") hold numbers. */
export function columnValues(file: string, header: string, label: string, rows: number, seed: number): string[] {
  const r = seeded(seed);
  const locale = LOCALE[file] ?? 'us';
  const numberColumn = /huisnummer|street no/i.test(header);
  return Array.from({ length: rows }, () => {
    if (numberColumn) return String(r.int(1, 300));
    if (label === 'extra') return extraValue(header, r);
    return BY_LABEL[label]!(r, locale);
  });
}

/** The field a label expects the mapping to choose. */
export function expectedField(label: string): string {
  return { extra_phone: 'extra', extra_salutation: 'extra', email_in_phone: 'email', phone_in_email: 'phone' }[label] ?? label;
}
