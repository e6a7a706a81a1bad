/**
 * String similarities for comparing people's fields. All take folded values (lowercase, no
 * accents, single spaces) and are allocation-light: they run for every candidate pair.
 */

/**
 * Scratch space for the similarities, reused by every call (they run synchronously, one at a
 * time): a comparison allocates nothing.
 */
let scratch = new Int32Array(256);
const scratchFor = (n: number): Int32Array => {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  return scratch;
};

/** Jaro-Winkler similarity in [0, 1] (Winkler's prefix bonus up to 4 characters, p = 0.1). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  // matched flags of a at [0, la), of b at [la, la + lb).
  const flags = scratchFor(la + lb).fill(0, 0, la + lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const hi = Math.min(lb - 1, i + window);
    for (let j = Math.max(0, i - window); j <= hi; j++) {
      if (b.charCodeAt(j) === c && flags[la + j] === 0) {
        flags[i] = 1;
        flags[la + j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < la; i++) {
    if (!flags[i]) continue;
    while (!flags[la + j]) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) transpositions++;
    j++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), or `max + 1`
 * as soon as the distance is known to exceed `max`.
 */
export function editDistance(a: string, b: string, max = 3): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const lb = b.length;
  const w = lb + 1;
  // Three rows of the matrix, turn about: the one before last, the last, the current.
  const rows = scratchFor(3 * w);
  let prev2 = 0;
  let prev = w;
  let cur = 2 * w;
  for (let j = 0; j <= lb; j++) rows[prev + j] = j;
  for (let i = 1; i <= a.length; i++) {
    rows[cur] = i;
    let rowMin = i;
    for (let j = 1; j <= lb; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(rows[prev + j]! + 1, rows[cur + j - 1]! + 1, rows[prev + j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, rows[prev2 + j - 2]! + 1);
      }
      rows[cur + j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return rows[prev + lb]!;
}

/** Similarity of two multi-word values whatever their word order: the best pairing of words by Jaro-Winkler, weighted by length. */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return a ? 1 : 0;
  const ta = a.split(' ');
  const tb = b.split(' ');
  if (ta.length === 1 && tb.length === 1) return jaroWinkler(a, b);
  const [short, long] = ta.length <= tb.length ? [ta, tb] : [tb, ta];
  let total = 0;
  let weight = 0;
  for (const s of short) {
    let best = 0;
    for (const l of long) {
      best = Math.max(best, jaroWinkler(s, l));
      if (best === 1) break;
    }
    total += best * s.length;
    weight += s.length;
  }
  // Words of the longer value left without a partner count against the match.
  const unmatched = long.length - short.length;
  return weight === 0 ? 0 : (total / weight) * (1 - 0.1 * unmatched);
}


const SOUNDEX_CODE: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3', l: '4', m: '5', n: '5', r: '6',
};

/**
 * A phonetic code for blocking: American Soundex of the word's letters, except that the first
 * letter is coded too (so "Catherine" and "Katherine" share a code), at most 4 digits.
 */
export function phonetic(word: string): string {
  const letters = word.replace(/[^a-z]/g, '');
  if (!letters) return '';
  let code = '';
  let last = '';
  for (const ch of letters) {
    const digit = SOUNDEX_CODE[ch] ?? '';
    if (digit && digit !== last) code += digit;
    // h and w do not separate letters of the same code; vowels do.
    if (ch !== 'h' && ch !== 'w') last = digit;
    if (code.length === 4) break;
  }
  return code || letters.slice(0, 1);
}
