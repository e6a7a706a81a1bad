import { FREE_EMAIL_DOMAINS } from '@leadflow/pipeline';

/**
 * The big providers whose domains people mistype. A provider name of 3 or 4 letters (aol, msn,
 * att, live) is one keystroke from real companies (aon.com, msc.com), so for those only the
 * top-level domain is corrected (aol.con → aol.com).
 */
export const BIG_PROVIDERS = [
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'ymail.com', 'hotmail.com', 'hotmail.co.uk', 'outlook.com',
  'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com', 'comcast.net', 'verizon.net', 'att.net',
  'sbcglobal.net', 'bellsouth.net', 'protonmail.com', 'gmx.com', 'gmx.de', 'web.de', 'yandex.ru', 'mail.ru',
] as const;

const KNOWN: ReadonlySet<string> = new Set([...BIG_PROVIDERS, ...FREE_EMAIL_DOMAINS]);

/** Typed top-level domains and what was meant. */
const TLD_TYPOS: Readonly<Record<string, readonly string[]>> = {
  com: ['con', 'cpm', 'cim', 'vom', 'xom', 'ocm', 'cmo', 'comm', 'coom', 'cm', 'om', 'co', 'c0m', 'clm', 'cok', 'col'],
  net: ['nte', 'ner', 'nt', 'ne', 'nett', 'met', 'bet', 'mnet'],
  'co.uk': ['co.ul', 'co.k', 'co.uj', 'couk', 'co.uk.com'],
  de: ['d', 'dee', 'ed'],
  ru: ['r', 'ry', 'rru'],
};

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890'];
const POS = new Map<string, [number, number]>();
ROWS.forEach((row, r) => [...row].forEach((ch, c) => POS.set(ch, [r, c])));

/** Keys next to each other on a QWERTY keyboard (same row ±1, or the rows above/below). */
function adjacentKeys(a: string, b: string): boolean {
  const pa = POS.get(a);
  const pb = POS.get(b);
  if (!pa || !pb) return false;
  const dr = Math.abs(pa[0] - pb[0]);
  const dc = pb[1] - pa[1];
  return (dr === 0 && Math.abs(dc) === 1) || (dr === 1 && dc >= -1 && dc <= 1);
}

/** adjacentKeys of every pair of ASCII characters, as a table (1 where adjacent). */
const ADJACENT = new Uint8Array(128 * 128);
for (let a = 0; a < 128; a++) for (let b = 0; b < 128; b++) ADJACENT[a * 128 + b] = adjacentKeys(String.fromCharCode(a), String.fromCharCode(b)) ? 1 : 0;
const adjacent = (x: number, y: number) => x < 128 && y < 128 && ADJACENT[x * 128 + y] === 1;

/**
 * Edit distance with the typos people make costing 1 (a letter left out, doubled or added, two
 * letters swapped, a neighbouring key hit) and any other substitution 2: hotmial → hotmail is 1,
 * gnail → gmail is 1, hotmart → hotmail is 4.
 */
export function typoDistance(a: string, b: string): number {
  // Three rows of the dynamic programme (two back for a transposition), reused between calls.
  const n = b.length;
  if (prev2.length <= n) [prev2, prev, row] = [new Array<number>(n + 1), new Array<number>(n + 1), new Array<number>(n + 1)];
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    const x = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const y = b.charCodeAt(j - 1);
      const sub = x === y ? 0 : adjacent(x, y) ? 1 : 2;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + sub);
      if (i > 1 && j > 1 && x === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === y) v = Math.min(v, prev2[j - 2]! + 1);
      row[j] = v;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[n]!;
}

let prev2: number[] = [];
let prev: number[] = [];
let row: number[] = [];

const split = (domain: string): [string, string] => {
  const dot = domain.indexOf('.');
  return dot < 0 ? [domain, ''] : [domain.slice(0, dot), domain.slice(dot + 1)];
};

/** The characters of a name, as a set of code units (0–127 by bit; any other counts as 127's bit). */
function charSet(name: string): Uint32Array {
  const set = new Uint32Array(4);
  for (let i = 0; i < name.length; i++) {
    const c = Math.min(name.charCodeAt(i), 127);
    set[c >> 5]! |= 1 << (c & 31);
  }
  return set;
}

/**
 * How many characters of `name` the provider's name lacks: each costs typoDistance at least 1 (a
 * substitution or a deletion; a swap moves only characters both have), so more than the limit
 * rules the provider out before the distance is computed.
 */
function missing(name: string, set: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 127 || (set[c >> 5]! & (1 << (c & 31))) === 0) n++;
  }
  return n;
}

const PROVIDERS = BIG_PROVIDERS.map((p) => {
  const [pName, pTld] = split(p);
  return [p, pName, pTld, charSet(pName)] as const;
});

/**
 * The big provider's domain the email's domain is likely a typo of (gmial.com → gmail.com), or
 * ''. The email itself is never changed. A known provider domain is never a typo; a name of 5 or
 * 6 letters may be one typo away, a longer one two; the top-level domain must be the provider's
 * or a known typo of it.
 */
export function emailSuggestion(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : domainSuggestion(email.slice(at + 1).toLowerCase());
}

/** emailSuggestion of a domain in lower case: it depends on nothing else, so enrichment keeps it by domain. */
export function domainSuggestion(domain: string): string {
  if (KNOWN.has(domain)) return '';
  const [name, tld] = split(domain);
  let best = '';
  let bestCost = Infinity;
  for (const [provider, pName, pTld, pChars] of PROVIDERS) {
    if (tld !== pTld && !TLD_TYPOS[pTld]?.includes(tld)) continue;
    const limit = pName.length <= 6 ? 1 : 2;
    if (Math.abs(name.length - pName.length) > limit || missing(name, pChars) > limit) continue;
    const cost = name === pName ? 0 : pName.length < 5 ? Infinity : typoDistance(name, pName);
    const total = cost + (tld === pTld ? 0 : 1);
    if (cost <= limit && total < bestCost) [best, bestCost] = [provider, total];
  }
  return best;
}
