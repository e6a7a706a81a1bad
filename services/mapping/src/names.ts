import { SALUTATIONS } from './reference-data.js';

const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'das', 'dos', 'du', 'la', 'le', 'ter', 'ten', 'bin', 'al', 'y', 'e']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'v', 'phd', 'md', 'esq', 'dds', 'cpa', 'mba']);
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

/** Written with care: a capital first and small letters after ("Smith", "McDonald"), or a particle in small letters. */
function deliberate(word: string): boolean {
  const careful = /^\p{Lu}[\p{Ll}'’-]*(\p{Lu}[\p{Ll}'’-]*)*$/u.test(word) && (word.length === 1 || /\p{Ll}/u.test(word));
  return careful || (PARTICLES.has(word) && word === word.toLowerCase());
}

export interface SplitName {
  name: string;
  salutation: string;
  suffix: string;
}

/** Splits "Dr. Jane Smith, PhD" into the name, its salutation ("Dr") and suffix ("PhD"). */
export function splitHonorifics(value: string): SplitName {
  const words = value.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  let salutation = '';
  let suffix = '';
  while (words.length > 1 && SALUTATIONS.has(words[0]!.toLowerCase().replace(/\.$/, ''))) {
    salutation = [salutation, words.shift()!.replace(/\.$/, '')].filter(Boolean).join(' ');
  }
  while (words.length > 1 && SUFFIXES.has(words.at(-1)!.toLowerCase().replace(/\./g, ''))) {
    suffix = [words.pop()!.replace(/\.$/, ''), suffix].filter(Boolean).join(' ');
  }
  return { name: words.join(' '), salutation, suffix };
}
