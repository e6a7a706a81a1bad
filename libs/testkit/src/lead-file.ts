/**
 * Generated lead files whose every row's expected disposition is known from the rules of
 * ARCHITECTURE.md section 8, written here independently of the stages: a file no stage was
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

const FIRST = ['Ann', 'Bob', 'Carla', 'Dev', 'Erin', 'Farid', 'Gita', 'Hugo', 'Ines', 'Jon', 'Kemal', 'Lucia', 'Mei', 'Nour', 'Olga'];
const LAST = ['Lee', 'Ray', 'Okafor', 'Smith', 'García', 'Nguyen', "O'Brien", 'Kowalski', 'Rossi', 'Haddad', 'Müller', 'Tanaka'];
const DOMAINS = ['gmail.com', 'yahoo.com', 'acme.com', 'globex.io', 'initech.net', 'outlook.com', 'umbrella.org'];
const AREA = ['201', '212', '305', '312', '415', '503', '617', '702', '914', '646'];
const CITIES = ['Boston', 'Austin', 'Denver', 'Seattle', 'Miami'];

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
    } else if (r < 0.3 && phoneSources.length > 0) {
      const src = pick(phoneSources);
      kind = `same phone as row ${src.row}, other format`;
      email = uniqueEmail(first, last);
      phoneCell = pick(formats)(src.digits);
      expected = 'duplicate';
      duplicateOf = { row: src.row };
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
    } else if (r < 0.55) {
      kind = 'postal address only';
      street = `${10 + row} Main St`;
      city = pick(CITIES);
      zip = pick(['', '02134']);
    } else {
      kind = 'new lead';
      const digits = uniquePhone();
      email = uniqueEmail(first, last);
      phoneCell = rand() < 0.8 ? pick(formats)(digits) : '';
      emailSources.push({ row, email });
      if (phoneCell) phoneSources.push({ row, digits });
    }
    lines.push([first, last, email, phoneCell, pick(['Acme', 'Globex', '']), street, city, zip, pick(['', 'call after 5pm, "urgent"', 'multi\nline'])]);
    rows.push({ row, expected, kind, email: email.trim().toLowerCase(), phone: phoneCell, duplicateOf });
  }
  const quote = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  const csv = [header, ...lines].map((l) => l.map(quote).join(',')).join('\r\n') + '\r\n';
  return { csv, rows, dncNumbers, header };
}
