import { closeSync, openSync, writeSync } from 'node:fs';
import { AREA_CODES, COMPANY_SUFFIXES, FREE_MAIL, JOB_TITLES, leadPools, NICKNAMES, NOTES, STATES, STREET_TYPES } from './lead-pools.js';
import { createRandom, type Random } from './random.js';

/**
 * A realistic lead file for the pipeline benchmark, written as it is generated: memory stays
 * the same for ten rows or ten million. Seeded: one seed, one file, byte for byte.
 *
 * Most rows are new people (names, streets and towns from pools of thousands, drawn with a
 * skew so that some names are common; phones in a dozen common formats; some fields missing,
 * some in capitals, notes with commas, quotes and line breaks). Among them, at the rates of
 * INJECTED_RATES, rows that a supplier's file really holds: verbatim repeats, the same person
 * with their email retyped or the same phone in another format, the same person again with a
 * nickname or a typo and an abbreviated street (only fuzzy matching finds them), another
 * member of a household (same surname and home: not a duplicate), and rows with no usable
 * contact. Repeats copy one of the last REPEAT_WINDOW people, so the file need not be held.
 */
export const INJECTED_RATES = { invalid: 0.03, exactRepeat: 0.02, retypedRepeat: 0.02, fuzzyRepeat: 0.02, household: 0.01 } as const;

/** How far back (in people) a repeat reaches. */
export const REPEAT_WINDOW = 10_000;

export const BENCH_HEADER = ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'Job Title', 'Street', 'City', 'State', 'Zip', 'Notes'];

export type RowKind = 'new' | keyof typeof INJECTED_RATES;

export interface GeneratedFile {
  path: string;
  rows: number;
  bytes: number;
  seed: number;
  /** Rows written of each kind. */
  kinds: Record<RowKind, number>;
  /**
   * What the pipeline should find: invalid rows exactly; duplicates roughly (every repeat, give
   * or take a fuzzy copy the matcher misses or two namesakes it takes for one person).
   */
  expected: { invalid: number; duplicate: number; accepted: number };
}

interface Person {
  first: string;
  last: string;
  email: string;
  /** The phone as written, and its ten digits. */
  phone: string;
  digits: string;
  company: string;
  title: string;
  number: number;
  street: string;
  type: readonly [string, string];
  town: string;
  state: string;
  zip: string;
  /** The row as written, for verbatim repeats. */
  line: string;
}

const PHONE_FORMATS: readonly ((d: string) => string)[] = [
  (d) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `(${d.slice(0, 3)})${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`,
  (d) => `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
  (d) => d,
  (d) => `1${d}`,
  (d) => `1-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
  (d) => `+1 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
  (d) => `+1${d}`,
  (d) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)} ext. ${Number(d.slice(7)) + 10}`,
];

/** Exchanges a real number can have: no N11 service codes, no 555. */
const EXCHANGES = Array.from({ length: 800 }, (_, i) => 200 + i).filter((x) => x % 100 !== 11 && x !== 555);
const PHONE_SPACE = AREA_CODES.length * EXCHANGES.length * 10_000;
/**
 * A prime (so coprime with PHONE_SPACE: serial -> number is one-to-one) near the golden section
 * of PHONE_SPACE, so that consecutive serials land in other area codes and exchanges.
 */
const PHONE_STRIDE = 244_738_003;

/** The serial-th number of the file: distinct for every serial below PHONE_SPACE. */
function uniquePhone(serial: number): string {
  // In BigInt: the product passes 2^53, where a double would lose the low digits.
  const n = Number((BigInt(serial) * BigInt(PHONE_STRIDE)) % BigInt(PHONE_SPACE));
  const line = n % 10_000;
  const exchange = EXCHANGES[Math.floor(n / 10_000) % EXCHANGES.length]!;
  const area = AREA_CODES[Math.floor(n / 10_000 / EXCHANGES.length)]!;
  return `${area}${exchange}${String(line).padStart(4, '0')}`;
}

/** Letters only, no accents, lower case: the part of a name an email address keeps. */
const ascii = (s: string) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
const csvLine = (cells: readonly string[]) => `${cells.map(quote).join(',')}\r\n`;

/** Two neighbouring letters inside the word swapped: one slip of the keyboard. */
function typo(random: Random, word: string): string {
  const at = 1 + random.int(word.length - 3);
  return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
}

export function generateLeadFile(opts: { path: string; rows: number; seed: number }): GeneratedFile {
  const random = createRandom(opts.seed);
  const pools = leadPools();
  const kinds: Record<RowKind, number> = { new: 0, invalid: 0, exactRepeat: 0, retypedRepeat: 0, fuzzyRepeat: 0, household: 0 };
  const recent: Person[] = [];
  let serial = 0;
  // Numbers and email addresses are unique per file: the seed moves them, the serial keeps them apart.
  const phoneBase = (opts.seed % 997) * 1_000_000_000;
  const nextPhone = () => uniquePhone((phoneBase + ++serial) % PHONE_SPACE);
  const emailFor = (first: string, last: string, company: string) => {
    const f = ascii(first) || 'lead';
    const l = ascii(last) || 'lead';
    const local = random.pick([`${f}.${l}`, `${f[0]}${l}`, `${f}${l}`, `${f}_${l}`, `${f}.${l[0]}`, `${l}.${f}`]);
    const domain = company && random.chance(0.5) ? `${ascii(company.split(' ')[0]!) || 'mail'}${random.pick(['.com', '.net', '.io', '.co'])}` : random.pick(FREE_MAIL);
    return `${local}${(++serial).toString(36)}@${domain}`;
  };
  const cased = (name: string) => (random.chance(0.05) ? name.toUpperCase() : random.chance(0.03) ? name.toLowerCase() : name);
  const remember = (p: Person) => {
    if (recent.length < REPEAT_WINDOW) recent.push(p);
    else recent[random.int(REPEAT_WINDOW)] = p;
  };
  const cells = (p: Person, overrides: Partial<Record<'first' | 'last' | 'email' | 'phone' | 'street', string>> = {}) => [
    cased(overrides.first ?? p.first),
    cased(overrides.last ?? p.last),
    overrides.email ?? p.email,
    overrides.phone ?? p.phone,
    p.company,
    p.title,
    overrides.street ?? (p.number ? `${p.number} ${p.street} ${p.type[0]}` : ''),
    p.number ? p.town : '',
    p.number ? p.state : '',
    p.number ? p.zip : '',
    random.chance(0.08) ? random.pick(NOTES) : '',
  ];

  const newPerson = (): Person => {
    const first = random.skewed(pools.givenNames);
    const last = random.skewed(pools.surnames);
    const company = random.chance(0.7) ? `${random.skewed(pools.surnames)} ${random.pick(COMPANY_SUFFIXES)}` : '';
    let email = random.chance(0.95) ? emailFor(first, last, company) : '';
    const digits = !email || random.chance(0.8) ? nextPhone() : '';
    const phone = digits ? random.pick(PHONE_FORMATS)(digits) : '';
    if (email && random.chance(0.03)) email = email.toUpperCase();
    const townIndex = Math.floor(random.next() ** 2 * pools.towns.length);
    // A town keeps one state and ZIP code wherever it appears in the file.
    const [state, zip3] = STATES[(townIndex * 7) % STATES.length]!;
    const hasAddress = random.chance(0.85);
    return {
      first, last, email, phone, digits, company, title: random.pick(JOB_TITLES),
      number: hasAddress ? 1 + random.int(random.chance(0.7) ? 999 : 9999) : 0,
      street: random.skewed(pools.streetNames),
      type: random.pick(STREET_TYPES), town: pools.towns[townIndex]!, state, zip: `${zip3}${String(townIndex % 100).padStart(2, '0')}`,
      line: '',
    };
  };

  const fd = openSync(opts.path, 'w');
  let buffer = csvLine(BENCH_HEADER);
  let bytes = 0;
  const flush = () => {
    const chunk = Buffer.from(buffer, 'utf8');
    writeSync(fd, chunk);
    bytes += chunk.length;
    buffer = '';
  };
  try {
    for (let row = 1; row <= opts.rows; row++) {
      let r = random.next();
      const source = recent.length > 0 ? random.pick(recent) : undefined;
      let line: string;
      let kind: RowKind;
      if (r < INJECTED_RATES.invalid) {
        kind = 'invalid';
        const p = newPerson();
        line = csvLine(cells(p, {
          email: random.pick(['not-an-email', `${ascii(p.first)}@`, '@example.com', 'n/a', '', 'none']),
          phone: random.pick(['12', '555', 'n/a', '', '000', 'call office']),
          street: '',
        }).map((cell, i) => (i >= 7 && i <= 9 && random.chance(0.5) ? '' : cell)));
      } else if (source && (r -= INJECTED_RATES.invalid) < INJECTED_RATES.exactRepeat) {
        kind = 'exactRepeat';
        line = source.line;
      } else if (source && (r -= INJECTED_RATES.exactRepeat) < INJECTED_RATES.retypedRepeat) {
        kind = 'retypedRepeat';
        // The same email typed again (case, spaces), or the same phone in another format with a new email.
        line = source.phone && (!source.email || random.chance(0.5))
          ? csvLine(cells(source, { email: emailFor(source.first, source.last, ''), phone: random.pick(PHONE_FORMATS)(source.digits) }))
          : csvLine(cells(source, { email: ` ${source.email.toUpperCase()} ` }));
      } else if (source?.number && (r -= INJECTED_RATES.retypedRepeat) < INJECTED_RATES.fuzzyRepeat) {
        kind = 'fuzzyRepeat';
        const nickname = NICKNAMES[source.first];
        line = csvLine(cells(source, {
          first: nickname ?? source.first,
          last: nickname || source.last.length < 5 ? source.last : typo(random, source.last),
          email: emailFor(source.first, source.last, ''),
          phone: '',
          street: `${source.number} ${source.street} ${source.type[1]}`,
        }));
      } else if (source?.number && (r -= INJECTED_RATES.fuzzyRepeat) < INJECTED_RATES.household) {
        kind = 'household';
        let first = random.skewed(pools.givenNames);
        for (let tries = 0; tries < 10 && first[0] === source.first[0]; tries++) first = random.skewed(pools.givenNames);
        line = csvLine(cells(source, { first, email: emailFor(first, source.last, ''), phone: '' }));
      } else {
        kind = 'new';
        const p = newPerson();
        p.line = line = csvLine(cells(p));
        remember(p);
      }
      kinds[kind]++;
      buffer += line;
      if (buffer.length >= 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  const duplicate = kinds.exactRepeat + kinds.retypedRepeat + kinds.fuzzyRepeat;
  return {
    path: opts.path, rows: opts.rows, bytes, seed: opts.seed, kinds,
    expected: { invalid: kinds.invalid, duplicate, accepted: opts.rows - kinds.invalid - duplicate },
  };
}
