/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same file on every
 * machine and Node version, which Math.random cannot promise.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  /**
   * An element drawn with a skew towards the front: the first tenth of the list takes about
   * a third of the draws, as the commonest names do in a real list.
   */
  skewed<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (xs) => xs[int(xs.length)]!,
    skewed: (xs) => xs[Math.floor(next() ** 2 * xs.length)]!,
    chance: (p) => next() < p,
  };
}

/** `xs` in an order fixed by `seed` (Fisher-Yates), so a skewed draw does not favour the alphabet's start. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  const random = createRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
