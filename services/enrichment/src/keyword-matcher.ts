import { foldText } from '@leadflow/pipeline';

/** foldText, skipping its Unicode normalization for plain ASCII (most company names and titles). */
const fold = (text: string): string =>
  /[^\x00-\x7f]/.test(text) ? foldText(text) : text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** Three characters from `at` as one number (each code unit below 65,536): an index key built without a string. */
const key3 = (s: string, at: number): number => (s.charCodeAt(at) * 65536 + s.charCodeAt(at + 1)) * 65536 + s.charCodeAt(at + 2);

/** Keywords indexed by their first three letters, so a word is compared only with those that can match. */
function byPrefix(entries: readonly [string, string][]): Map<number, [string, string][]> {
  const index = new Map<number, [string, string][]>();
  for (const e of entries) {
    const key = key3(e[0], 0);
    index.set(key, [...(index.get(key) ?? []), e]);
  }
  for (const list of index.values()) list.sort((a, b) => b[0].length - a[0].length);
  return index;
}

/** What a word finds by itself, whatever its neighbours. */
export interface OwnHit { label: string; keyword: string; weight: number; word: boolean }

const NO_PHRASES: readonly { words: string[]; label: string; keyword: string }[] = [];

/** A keyword found in a text: the label it names, the words that matched, and their weight. */
export interface KeywordHit {
  label: string;
  keyword: string;
  weight: number;
  /** Index of the last matched word: ties go to the later word (the head noun: "Smith Dental Supply"). */
  at: number;
}

/**
 * Finds keywords of a table in a text. Whole words and phrases are map look-ups; a stem ("farm*")
 * matches the start of a word; in a long word that nothing else matched (a compound company name
 * or domain, "bluewaterplumbing"), any keyword of 5 letters or more counts where it occurs.
 */
export interface KeywordMatcher {
  /** `memo` keeps each word's own hit (a whole word, a stem, a part): it depends on the word alone. */
  hits(text: string, memo?: WordMemo): KeywordHit[];
}

/** Where a caller keeps words' own hits (enrichment: a bounded cache of its stage). */
export interface WordMemo {
  get(word: string): OwnHit | null | undefined;
  set(word: string, hit: OwnHit | null): void;
}

const singular = (w: string) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);

export function createKeywordMatcher(table: Readonly<Record<string, readonly string[]>>): KeywordMatcher {
  const words = new Map<string, string>();
  const phrases = new Map<string, { words: string[]; label: string; keyword: string }[]>();
  const stems: [string, string][] = [];
  const inner: [string, string][] = [];
  for (const [label, keywords] of Object.entries(table)) {
    for (const keyword of keywords) {
      if (keyword.endsWith('*')) {
        const stem = keyword.slice(0, -1);
        stems.push([stem, label]);
        if (stem.length >= 5) inner.push([stem, label]);
      } else if (keyword.includes(' ')) {
        const parts = keyword.split(' ').map(singular);
        const list = phrases.get(parts[0]!) ?? [];
        list.push({ words: parts, label, keyword });
        phrases.set(parts[0]!, list);
      } else {
        if (!words.has(keyword)) words.set(keyword, label);
        if (!words.has(singular(keyword))) words.set(singular(keyword), label);
        if (keyword.length >= 5) inner.push([keyword, label]);
      }
    }
  }
  const stemIndex = byPrefix(stems);
  const innerIndex = byPrefix(inner);
  /** A word's own hit (a whole word, else a stem, else a keyword inside a long word), null for none. */
  const ownHitOf = (token: string): OwnHit | null => {
    const label = words.get(token);
    if (label) return { label, keyword: token, weight: 1, word: true };
    if (token.length < 3) return null;
    const stem = stemIndex.get(key3(token, 0))?.find(([s]) => token.startsWith(s));
    if (stem) return { label: stem[1], keyword: `${stem[0]}*`, weight: 1, word: false };
    if (token.length < 8) return null;
    const part = innerMatch(token, innerIndex);
    return part ? { label: part[1], keyword: part[0], weight: 0.8, word: false } : null;
  };
  return {
    hits(text, memo) {
      const tokens = fold(text).split(' ').filter(Boolean).map(singular);
      const out: KeywordHit[] = [];
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i]!;
        let matched = false;
        for (const p of phrases.get(token) ?? NO_PHRASES) {
          if (p.words.every((w, k) => tokens[i + k] === w)) {
            out.push({ label: p.label, keyword: p.keyword, weight: 1 + p.words.length, at: i + p.words.length - 1 });
            matched = true;
          }
        }
        let own = memo ? memo.get(token) : ownHitOf(token);
        if (own === undefined) memo!.set(token, (own = ownHitOf(token)));
        if (own === null || (matched && !own.word)) continue; // a stem or a part counts only where no phrase matched
        out.push({ label: own.label, keyword: own.keyword, weight: own.weight, at: i });
      }
      return out;
    },
  };
}

/** The longest keyword found inside a word, the earliest first. */
function innerMatch(token: string, index: Map<number, [string, string][]>): [string, string] | undefined {
  for (let at = 0; at + 5 <= token.length; at++) {
    const found = index.get(key3(token, at))?.find(([k]) => token.startsWith(k, at));
    if (found) return found;
  }
  return undefined;
}

/** The best label of some hits: the most weight, ties to the later word; undefined without hits. */
export function bestHit(hits: readonly KeywordHit[]): { label: string; hits: KeywordHit[]; weight: number } | undefined {
  if (hits.length === 0) return undefined;
  const score = new Map<string, { weight: number; at: number; hits: KeywordHit[] }>();
  for (const h of hits) {
    const s = score.get(h.label) ?? { weight: 0, at: -1, hits: [] };
    s.weight += h.weight;
    s.at = Math.max(s.at, h.at);
    s.hits.push(h);
    score.set(h.label, s);
  }
  let best: [string, { weight: number; at: number; hits: KeywordHit[] }] | undefined;
  for (const entry of score) {
    if (!best || entry[1].weight > best[1].weight || (entry[1].weight === best[1].weight && entry[1].at > best[1].at)) best = entry;
  }
  return best && { label: best[0], hits: best[1].hits, weight: best[1].weight };
}
