/**
 * Generated lead files whose every row's expected disposition is known from the rules of
 * docs/architecture.md section 8, written here independently of the stages: a file no stage was
 * tuned on, different on every seed.
 */
export type Expected = 'accepted' | 'invalid' | 'duplicate' | 'suppressed';

export interface GeneratedRow {
  row: number;
  expected: Expected;
  /** What makes it so, for failure messages. */
  kind: string;
  email: string;
  phone: string;
  /** For duplicates: the row of this file, or the email of an earlier job's lead, it repeats. */
  duplicateOf?: { row: number } | { earlierEmail: string };
  /** For duplicates: how it must be found. */
  matchType?: 'exact_email' | 'exact_phone' | 'fuzzy';
}

export interface LeadFile {
  csv: string;
  rows: GeneratedRow[];
  /** Numbers to put on the Do-Not-Call list, formatted as a supplier would. */
  dncNumbers: string[];
  header: string[];
}

export interface LeadFileOptions {
  seed: number;
  rows: number;
  /** Emails of leads stored by an earlier job: some rows repeat them. */
  earlierEmails?: readonly string[];
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ann', 'Carla', 'Dev', 'Erin', 'Farid', 'Gita', 'Hugo', 'Ines', 'Kemal', 'Lucia', 'Mei', 'Nour', 'Olga', 'Priya', 'Quentin',
  'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zofia', 'Amara', 'Bjorn', 'Chiara', 'Dmitri', 'Esther',
  'Fatima', 'Goran', 'Hana', 'Ibrahim', 'Joaquin', 'Kiri', 'Leilani', 'Malik', 'Nadia', 'Oskar', 'Paloma', 'Rafael', 'Selin',
  'Tomasz', 'Ulla', 'Valentina', 'Wanjiru', 'Yara', 'Zainab',
  // Long forms that suppliers also write as nicknames (see NICKNAMES).
  'Robert', 'William', 'Katherine', 'Elizabeth', 'Margaret', 'James', 'Michael', 'Jennifer', 'Richard', 'Thomas',
];
const NICKNAMES: Record<string, string> = {
  Robert: 'Bob', William: 'Bill', Katherine: 'Kate', Elizabeth: 'Liz', Margaret: 'Peggy', James: 'Jim', Michael: 'Mike',
  Jennifer: 'Jen', Richard: 'Rick', Thomas: 'Tom',
};
const LAST = [
  'Lee', 'Ray', 'Okafor', 'Smith', 'García', 'Nguyen', "O'Brien", 'Kowalski', 'Rossi', 'Haddad', 'Müller', 'Tanaka', 'Abernathy',
  'Bergstrom', 'Castellanos', 'Delacroix', 'Eriksen', 'Fitzgerald', 'Grünewald', 'Hoffmann', 'Ibarra', 'Jablonski', 'Kaczmarek',
  'Lindqvist', 'Mbeki', 'Nakamura', 'Oyelaran', 'Petrovic', 'Quintero', 'Rasmussen', 'Szymanski', 'Thorvaldsen', 'Umarov',
  'Valverde', 'Whitcombe', 'Xiong', 'Yamamoto', 'Zielinski', 'Achterberg', 'Baptiste', 'Chaudhry', 'Dubois', 'Esposito',
  'Fontaine', 'Gallagher', 'Hashemi', 'Iwasaki', 'Jovanovic', 'Kariuki', 'Lombardi', 'Moreau', 'Nieminen', 'Ortega',
  'Papadopoulos', 'Rahman', 'Silva', 'Takahashi', 'Vasquez', 'Wojcik', 'Zimmermann',
];
const STREETS = [
  'Main', 'Oak', 'Maple', 'Cedar', 'Elm', 'Willow', 'Birch', 'Juniper', 'Harbor', 'Quarry', 'Lantern', 'Orchard', 'Beacon',
  'Thistle', 'Magnolia', 'Sycamore', 'Chestnut', 'Hawthorn', 'Linden', 'Poplar', 'Aspen', 'Cypress', 'Laurel', 'Sequoia',
  'Ridgeview', 'Lakeshore', 'Riverside', 'Hillcrest', 'Meadowbrook', 'Fairview', 'Kingsley', 'Ashford', 'Bramble', 'Cobblestone',
  'Driftwood', 'Evergreen', 'Foxglove', 'Granite', 'Heather', 'Ironwood',
];
const STREET_TYPES: [string, string][] = [['Street', 'St'], ['Avenue', 'Ave'], ['Road', 'Rd'], ['Drive', 'Dr'], ['Lane', 'Ln']];
const DOMAINS = ['gmail.com', 'yahoo.com', 'acme.com', 'globex.io', 'initech.net', 'outlook.com', 'umbrella.org'];
const AREA = ['201', '212', '305', '312', '415', '503', '617', '702', '914', '646'];
const CITIES: [string, number][] = [
  ['Boston', 2108], ['Austin', 78701], ['Denver', 80202], ['Seattle', 98101], ['Miami', 33101], ['Portland', 97201],
  ['Chicago', 60601], ['Phoenix', 85001], ['Atlanta', 30301], ['Nashville', 37201],
];

/** A person with a postal address, whom later rows may repeat with typos or share a home with. */
interface Person {
  row: number;
  first: string;
  last: string;
  number: number;
  street: string;
  type: [string, string];
  city: string;
  zip: string;
  /** Given names of the people living there, the person's first. */
  household: string[];
}

export function generateLeadFile(opts: LeadFileOptions): LeadFile {
  const rand = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const header = ['First Name', 'Last Name', 'Email Address', 'Phone', 'Company', 'Street', 'City', 'Zip', 'Notes'];
  const lines: string[][] = [];
  const rows: GeneratedRow[] = [];
  const dncNumbers: string[] = [];
  const emailSources: { row: number; email: string }[] = [];
  const phoneSources: { row: number; digits: string }[] = [];
  let serial = 0;
  const uniquePhone = () => {
    serial++;
    const exchange = 200 + ((opts.seed * 7 + serial * 13) % 700);
    const ex = exchange % 100 === 11 ? exchange + 1 : exchange;
    const line = String((serial * 7919 + opts.seed) % 10000).padStart(4, '0');
    return `${pick(AREA)}${ex}${line}`;
  };
  const formats = [
    (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
    (d: string) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
    (d: string) => `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
    (d: string) => `1${d}`,
    (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`,
  ];
  const uniqueEmail = (first: string, last: string) =>
    `${first}.${last.replace(/[^A-Za-z]/g, '')}.${opts.seed % 1000}.${++serial}@${pick(DOMAINS)}`.toLowerCase();

  const people: Person[] = [];
  /**
   * A street address no other person of this file shares: no other house number on the same
   * street of the same city, whatever the street type (6 Beacon Avenue and 6 Beacon Drive in one
   * town would be one address mistyped, not two people).
   */
  const addresses = new Set<string>();
  const newAddress = () => {
    for (let tries = 0; tries < 1000; tries++) {
      const [city, zip] = pick(CITIES);
      const address = { number: 100 + Math.floor(rand() * 9800), street: pick(STREETS), type: pick(STREET_TYPES), city, zip: String(zip + Math.floor(rand() * 40)).padStart(5, '0') };
      const key = `${address.number}|${address.street}|${city}`;
      if (addresses.has(key)) continue;
      addresses.add(key);
      return address;
    }
    throw new Error('generateLeadFile: no unused address left after 1000 tries; ask for fewer rows');
  };
  /** One slip of the keyboard: two letters of the name swapped. */
  const typo = (name: string) => {
    const at = 1 + Math.floor(rand() * (name.length - 2));
    return name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
  };

  for (let row = 1; row <= opts.rows; row++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const r = rand();
    let kind: string;
    let email = '';
    let phoneCell = '';
    let street = '';
    let city = '';
    let zip = '';
    let expected: Expected = 'accepted';
    let duplicateOf: GeneratedRow['duplicateOf'];
    let matchType: GeneratedRow['matchType'];
    if (r < 0.1) {
      kind = 'no usable contact';
      email = pick(['not-an-email', 'ann@', '@acme.com', '']);
      phoneCell = pick(['12', '555', '', 'n/a']);
      city = pick(['', 'Boston']);
      expected = 'invalid';
    } else if (r < 0.2 && emailSources.length > 0) {
      const src = pick(emailSources);
      const [local, domain] = src.email.split('@') as [string, string];
      const variant = rand();
      if (variant < 0.4) {
        kind = `same email as row ${src.row}, other case and spaces`;
        email = ` ${src.email.toUpperCase()} `;
      } else if (variant < 0.7 || domain !== 'gmail.com') {
        kind = `same email as row ${src.row}, with a +tag`;
        email = `${local}+promo@${domain}`;
      } else {
        kind = `same Gmail address as row ${src.row}, dots moved`;
        email = `${local.replace(/\./g, '')}@googlemail.com`;
      }
      expected = 'duplicate';
      duplicateOf = { row: src.row };
      matchType = 'exact_email';
    } else if (r < 0.3 && phoneSources.length > 0) {
      const src = pick(phoneSources);
      kind = `same phone as row ${src.row}, other format`;
      email = uniqueEmail(first, last);
      phoneCell = pick(formats)(src.digits);
      expected = 'duplicate';
      duplicateOf = { row: src.row };
      matchType = 'exact_phone';
    } else if (r < 0.4) {
      kind = 'phone on the DNC list';
      const digits = uniquePhone();
      phoneCell = pick(formats)(digits);
      email = uniqueEmail(first, last);
      dncNumbers.push(pick(formats)(digits));
      expected = 'suppressed';
    } else if (r < 0.5 && opts.earlierEmails && opts.earlierEmails.length > 0) {
      const earlier = pick(opts.earlierEmails);
      kind = 'email of a lead stored by an earlier job';
      email = earlier;
      phoneCell = pick(formats)(uniquePhone());
      expected = 'duplicate';
      duplicateOf = { earlierEmail: earlier };
      matchType = 'exact_email';
    } else if (r < 0.55) {
      kind = 'postal address only';
      const a = newAddress();
      street = `${a.number} ${a.street} ${a.type[0]}`;
      city = a.city;
      zip = rand() < 0.7 ? a.zip : '';
    } else if (r < 0.61 && people.length > 0) {
      // The same person again from another source: a new email, a nickname or a typo in the
      // surname, the street type abbreviated the other way; only fuzzy matching can tell.
      const p = pick(people);
      kind = `same person as row ${p.row}, ${NICKNAMES[p.first] ? 'nickname' : 'typo in the surname'}, street written differently`;
      lines.push([
        NICKNAMES[p.first] ?? p.first, NICKNAMES[p.first] ? p.last : typo(p.last), uniqueEmail(p.first, p.last), '', '',
        `${p.number} ${p.street} ${p.type[1]}`, p.city, p.zip, '',
      ]);
      rows.push({ row, expected: 'duplicate', kind, email: '', phone: '', duplicateOf: { row: p.row }, matchType: 'fuzzy' });
      continue;
    } else if (r < 0.64 && people.length > 0) {
      // Another member of the household: same surname and home, own name and email. Not a duplicate.
      const p = pick(people);
      const other = pick(FIRST.filter((n) => !p.household.some((h) => h[0] === n[0]) && !NICKNAMES[n]));
      p.household.push(other);
      kind = `household of row ${p.row}: same surname and address, other given name and email`;
      email = uniqueEmail(other, p.last);
      lines.push([other, p.last, email, '', '', `${p.number} ${p.street} ${p.type[0]}`, p.city, p.zip, '']);
      rows.push({ row, expected: 'accepted', kind, email, phone: '' });
      continue;
    } else {
      kind = 'new lead';
      const digits = uniquePhone();
      email = uniqueEmail(first, last);
      phoneCell = rand() < 0.8 ? pick(formats)(digits) : '';
      emailSources.push({ row, email });
      if (phoneCell) phoneSources.push({ row, digits });
      if (rand() < 0.7) {
        const a = newAddress();
        street = `${a.number} ${a.street} ${a.type[0]}`;
        city = a.city;
        zip = a.zip;
        people.push({ row, first, last, ...a, household: [first] });
      }
    }
    lines.push([first, last, email, phoneCell, pick(['Acme', 'Globex', '']), street, city, zip, pick(['', 'call after 5pm, "urgent"', 'multi\nline'])]);
    rows.push({ row, expected, kind, email: email.trim().toLowerCase(), phone: phoneCell, duplicateOf, matchType });
  }
  const quote = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  const csv = [header, ...lines].map((l) => l.map(quote).join(',')).join('\r\n') + '\r\n';
  return { csv, rows, dncNumbers, header };
}

/** The rows of `file` not filed as the rules say, each as "row N (what it is): expected X, got Y". */
export function misfiled(file: LeadFile, got: ReadonlyMap<number, string>): string[] {
  return file.rows.filter((r) => got.get(r.row) !== r.expected).map((r) => `row ${r.row} (${r.kind}): expected ${r.expected}, got ${got.get(r.row)}`);
}
