import { SALUTATIONS } from './reference-data.js';

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'das', 'dos', 'du', 'la', 'le', 'ter', 'ten', 'bin', 'al', 'y', 'e']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'v', '2nd', '3rd', 'phd', 'md', 'esq', 'dds', 'dmd', 'dvm', 'jd', 'rn', 'cpa', 'cfa', 'mba']);
const MAC_NAMES = new Set(['macdonald', 'mackenzie', 'macleod', 'macmillan', 'macarthur', 'macintosh', 'macgregor', 'mackay', 'maclean', 'macneil', 'macpherson', 'macaulay']);

const cap = (w: string) => (w ? w[0]!.toUpperCase() + w.slice(1) : w);

function capitalizeWord(word: string, first: boolean): string {
  const lower = word.toLowerCase();
  if (!first && PARTICLES.has(lower)) return lower;
  return lower
    .split('-')
    .map((part) => {
      if (/^mc./.test(part)) return `Mc${cap(part.slice(2))}`;
      if (MAC_NAMES.has(part)) return `Mac${cap(part.slice(3))}`;
      // O'Brien, D'Angelo: the letter after the apostrophe is capital too.
      return part.replace(/^([a-z])(['’])([a-z])/, (_, a: string, q: string, b: string) => `${a.toUpperCase()}${q}${b.toUpperCase()}`).replace(/^./, (c) => c.toUpperCase());
    })
    .join('-');
}

/**
 * A name as a person would write it: "ann-marie o'BRIEN" → "Ann-Marie O'Brien", "LUDWIG VAN
 * BEETHOVEN" → "Ludwig van Beethoven", "mcdonald" → "McDonald". A name already written in
 * mixed case is the supplier's choice ("DeShawn", "van der Berg") and stays as it is.
 */
export function titleCaseName(name: string): string {
  const trimmed = name.replace(/\s+/g, ' ').trim();
  const uniform = trimmed === trimmed.toLowerCase() || trimmed === trimmed.toUpperCase();
  return trimmed
    .split(' ')
    .map((w, i) => (!uniform && deliberate(w) ? w : capitalizeWord(w, i === 0)))
    .join(' ');
}

/**
 * Written with care: a capital first and small letters after ("Smith", "McDonald"), a particle
 * in small letters, or two initials in capitals ("JP", "AJ"; not a particle: "DE la Cruz").
 */
function deliberate(word: string): boolean {
  const careful = /^\p{Lu}[\p{Ll}'’-]*(\p{Lu}[\p{Ll}'’-]*)*$/u.test(word) && (word.length === 1 || /\p{Ll}/u.test(word));
  const initials = /^\p{Lu}{2}$/u.test(word) && !PARTICLES.has(word.toLowerCase());
  return careful || initials || (PARTICLES.has(word) && word === word.toLowerCase());
}

export interface SplitName {
  name: string;
  salutation: string;
  suffix: string;
}

const bare = (word: string) => word.toLowerCase().replace(/\./g, '');
const isSalutation = (word: string) => SALUTATIONS.has(bare(word));
const isSuffix = (word: string) => SUFFIXES.has(bare(word));

/** Salutations off the front and suffixes off the end of a list of words, as long as a name is left. */
function takeHonorifics(words: string[]): { salutations: string[]; suffixes: string[] } {
  const salutations: string[] = [];
  const suffixes: string[] = [];
  while (words.length > 1 && isSalutation(words[0]!)) salutations.push(words.shift()!.replace(/\.$/, ''));
  // "V" is a suffix after a name ("John Smith V"), an initial alone ("Smith, V").
  while (words.length > 1 && isSuffix(words.at(-1)!) && (bare(words.at(-1)!) !== 'v' || words.length > 2)) {
    suffixes.unshift(words.pop()!.replace(/\.$/, ''));
  }
  return { salutations, suffixes };
}

/** Splits "Dr. Jane Smith, PhD" into the name, its salutation ("Dr") and suffix ("PhD"). */
export function splitHonorifics(value: string): SplitName {
  const words = value.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  const { salutations, suffixes } = takeHonorifics(words);
  return { name: words.join(' '), salutation: salutations.join(' '), suffix: suffixes.join(' ') };
}

/** A full name read into its parts, in a person's casing. */
export interface PersonName {
  first: string;
  last: string;
  /** First name(s) then surname: "Micheel O'Brien" for "O'Brien, Micheel". */
  full: string;
  salutation: string;
  /** Generational suffixes and credentials, as written: "Jr", "PhD". */
  suffix: string;
  /** A name in quotes or brackets: "Bob" in 'Robert "Bob" Smith'. */
  nickname: string;
}

/**
 * Company forms that end a company's name: never the end of a person's. The short ones that are
 * also names or initials (Co, SA, AG, AB, AS, Oy, KG, NV, BV, LP, PC) count only when written as
 * a company's: with a dot ("Acme Co."), after "&" ("Smith & Co"), or in capitals in a name that is
 * not ("Müller AG").
 */
const COMPANY_FORMS = new Set([
  'inc', 'incorporated', 'llc', 'llp', 'lllp', 'pllc', 'ltd', 'limited', 'corp', 'corporation', 'company', 'gmbh', 'plc', 'sarl', 'sas',
  'srl', 'spa', 'pty', 'pte', 'ulc', 'oyj', 'kgaa', 'holdings', 'enterprises', 'industries', 'technologies', 'solutions', 'associates',
]);
const SHORT_COMPANY_FORMS = new Set(['co', 'sa', 'ag', 'ab', 'as', 'oy', 'kg', 'nv', 'bv', 'lp', 'pc', 'sons']);

/** A company's name written where a person's should be: "Acme, Inc.", "Globex LLC", "Smith & Sons". */
export function isCompanyName(value: string): boolean {
  const words = value.split(/[\s,]+/).filter(Boolean);
  if (words.length < 2) return false;
  const last = words.at(-1)!;
  const form = bare(last).replace(/[^a-z]/g, '');
  if (COMPANY_FORMS.has(form)) return true;
  if (!SHORT_COMPANY_FORMS.has(form)) return false;
  const before = words.at(-2)!;
  const capitals = last.length > 1 && last === last.toUpperCase() && value !== value.toUpperCase();
  return last.endsWith('.') || before === '&' || bare(before) === 'and' || capitals;
}

/** Words where a surname starts when they follow a given name: "Ludwig van Beethoven", "Juan de la Cruz". */
const SURNAME_STARTS = new Set(['van', 'von', 'de', 'del', 'della', 'di', 'da', 'du', 'des', 'la', 'le', 'dos', 'das', 'ter', 'ten', 'bin', 'binti', 'bint', 'ibn', 'al', 'el', 'st', 'st.', 'mac', 'ap', 'ab']);

/** Where the surname starts in a name written first name first. */
function surnameStart(words: readonly string[]): number {
  const particle = words.findIndex((w, i) => i > 0 && SURNAME_STARTS.has(w.toLowerCase()));
  if (particle > 0) return particle;
  // "José Ortega y Gasset": two surnames joined by "y" (or Portuguese "e").
  const joined = words.findIndex((w, i) => i > 1 && i < words.length - 1 && (w === 'y' || w === 'e'));
  if (joined > 0) return joined - 1;
  return words.length - 1;
}

/** Leading words in capitals before words that are not ("DUPONT Jean-Pierre", "DE LA CRUZ Juan"): the French way, surname first. */
function capitalsFirst(words: readonly string[]): number {
  const capital = (w: string) => /^\p{Lu}[\p{Lu}'’-]+$/u.test(w);
  let n = 0;
  while (n < words.length && capital(words[n]!) && (words[n]!.length >= 3 || SURNAME_STARTS.has(words[n]!.toLowerCase()))) n++;
  const rest = words.slice(n);
  const surname = words.slice(0, n).some((w) => w.length >= 3);
  return surname && rest.length > 0 && rest.every((w) => /\p{Ll}/u.test(w)) ? n : 0;
}

/**
 * Reads a full name as people write it, into first name, surname, salutation and suffix: "Jane
 * Smith", "Dr. Jane Smith, PhD", "Ludwig van Beethoven", and with a comma the surname first:
 * "O'Brien, Micheel", "de la Cruz, Juan", "Smith, John Jr.", "Smith Jr., John", "Smith, John,
 * Jr.", "Smith, Dr. John M.". Whether it is a company's name instead is isCompanyName's to say.
 */
export function readFullName(value: string): PersonName {
  let text = value.replace(/\s+/g, ' ').trim();
  let nickname = '';
  text = text.replace(/(^|\s)(?:"([^"]+)"|“([^”]+)”|\(([^)]+)\)|'([^']+)')(?=\s|,|$)/, (_, space: string, ...nick: (string | undefined)[]) => {
    nickname ||= nick.slice(0, 4).find(Boolean) ?? '';
    return space;
  }).replace(/\s+/g, ' ').trim();
  const parts = text.split(',').map((p) => p.trim());
  const suffixes: string[] = [];
  // Whole parts of suffixes at the end: "John Smith, Jr.", "Smith, John, PhD, MBA".
  const suffixPart = (p: string) => p !== '' && p.split(' ').every(isSuffix) && (bare(p) !== 'v' || parts.length > 2 || parts[0]!.includes(' '));
  while (parts.length > 1 && suffixPart(parts.at(-1)!)) suffixes.unshift(...parts.pop()!.split(' ').map((w) => w.replace(/\.$/, '')));
  const salutations: string[] = [];
  const words = (part: string) => {
    const w = part.split(' ').filter(Boolean);
    const h = takeHonorifics(w);
    salutations.push(...h.salutations);
    suffixes.unshift(...h.suffixes);
    return w;
  };
  let first: string[];
  let last: string[];
  if (parts.length >= 2 && parts[0] !== '') {
    // A comma after the first part: the surname comes first ("Smith," too: a surname alone).
    last = words(parts[0]!);
    first = words(parts.slice(1).filter(Boolean).join(' '));
  } else {
    const natural = words(parts.filter(Boolean).join(' '));
    const caps = capitalsFirst(natural);
    const cut = caps > 0 ? caps : surnameStart(natural);
    [first, last] = caps > 0 ? [natural.slice(cut), natural.slice(0, cut)] : [natural.slice(0, cut), natural.slice(cut)];
    if (first.length === 0) [first, last] = [last, []];
  }
  // Cased as one name in the natural order, so particles inside it stay small ("Juan de la Cruz").
  const cased = titleCaseName([...first, ...last].join(' ')).split(' ');
  return {
    first: cased.slice(0, first.length).join(' '),
    last: cased.slice(first.length).join(' '),
    full: cased.join(' '),
    salutation: salutations.join(' '),
    suffix: suffixes.join(' '),
    nickname,
  };
}
