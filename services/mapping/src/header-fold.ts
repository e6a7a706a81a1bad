// Letters of the scripts whose words headers are written in besides Latin: kept as they are.
// Japanese writes 'ー' (long vowel mark) inside words; it belongs to no script, so it is named.
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}ー々';
const NOT_WORD = new RegExp(`[^a-z0-9${CJK}]+`, 'gu');
const SCRIPT_CHANGE = new RegExp(`([${CJK}])(?=[A-Za-z0-9])|([A-Za-z0-9])(?=[${CJK}])`, 'gu');
const CJK_CHAR = new RegExp(`[${CJK}]`, 'u');
// Latin letters that do not decompose into a base letter and a mark.
const LATIN_LETTERS: Readonly<Record<string, string>> = { ł: 'l', ø: 'o', đ: 'd', ħ: 'h', ı: 'i', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th' };

/**
 * "FirstName", "first_name", "FIRST-NAME" → "first name"; "名刺ID" → "名刺 id"; "Straße" → "strasse".
 * Accents are dropped, other punctuation is a word break, Chinese, Japanese and Korean are kept.
 */
export function foldHeader(header: string): string {
  return header
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(SCRIPT_CHANGE, '$1$2 ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[łøđħıßæœþ]/g, (c) => LATIN_LETTERS[c]!)
    .replace(NOT_WORD, ' ')
    .trim();
}

export const compact = (s: string) => s.replace(/ /g, '');

/**
 * The header as versions before the CJK-aware fold wrote it (every letter outside a-z a word
 * break: "Straße" → "stra e"), where that differs from foldHeader's: suppliers' mappings confirmed
 * then are stored under it. Undefined where it is the same or empty (all CJK headers folded to ""
 * then, so such a stored key names no one header and is never used).
 */
export function legacyFoldHeader(header: string): string | undefined {
  const old = header
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return old && old !== foldHeader(header) ? old : undefined;
}

/** A word written in Chinese characters, kana or Hangul: words inside it are not space-separated. */
export const isCjk = (word: string) => CJK_CHAR.test(word);
