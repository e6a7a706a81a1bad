// Letters an abbreviation keeps besides its first: consonants (and 'y'), digits. Vowels are what
// abbreviations drop ("Cmpny", "FrstNm", "PhNbr"); one that kept them would be a truncation,
// which is handled as a prefix.
const VOWELS = /[aeiou]/;

/**
 * Whether `short` abbreviates `word`: the same first letter, then some of its later letters in
 * order, either its first letters ("addr" for address, "tel" for telephone) or consonants
 * only ("cmpny" for company, "nbr" for number, "frst" for first). Latin words only.
 */
export function abbreviates(short: string, word: string): boolean {
  if (short.length < 2 || short.length >= word.length || short[0] !== word[0]) return false;
  if (!/^[a-z][a-z0-9]*$/.test(short)) return false;
  if (word.startsWith(short)) return true;
  if (VOWELS.test(short.slice(1))) return false;
  let i = 1;
  for (const c of word.slice(1)) if (c === short[i]) i++;
  return i === short.length;
}
