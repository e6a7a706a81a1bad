/** One bucket a request needs a token of: its key and its rate (requests a second, > 0). */
export interface Bucket {
  key: string;
  perSecond: number;
}

/**
 * Token buckets shared by every dispatcher that holds the same instance: in one process
 * (`leadflow serve`/`run`) the in-process one, across the delivery replicas the Redis one
 * (@leadflow/stores createRedisTokenBuckets).
 */
export interface TokenBuckets {
  /**
   * Takes a token of every bucket, or of none: 0 when taken, else how many milliseconds to wait
   * until all of them have one.
   */
  take(buckets: readonly Bucket[]): Promise<number>;
}

/** A bucket holds up to a fifth of a second's tokens (at least one): a receiver never sees a burst of a whole second. */
export const bucketCapacity = (perSecond: number) => Math.max(1, perSecond / 5);

/** Token buckets in this process's memory. */
export function createMemoryTokenBuckets(now: () => number = () => performance.now()): TokenBuckets {
  const state = new Map<string, { tokens: number; at: number }>();
  const level = (b: Bucket, t: number) => {
    const capacity = bucketCapacity(b.perSecond);
    const s = state.get(b.key);
    if (!s) return capacity;
    return Math.min(capacity, s.tokens + ((t - s.at) * b.perSecond) / 1000);
  };
  return {
    async take(buckets) {
      const t = now();
      let wait = 0;
      for (const b of buckets) {
        const tokens = level(b, t);
        if (tokens < 1) wait = Math.max(wait, Math.ceil(((1 - tokens) * 1000) / b.perSecond));
      }
      if (wait > 0) return wait;
      // Buckets idle long enough to be full again hold nothing worth keeping.
      if (state.size > 10_000) for (const [key, s] of state) if (t - s.at > 60_000) state.delete(key);
      for (const b of buckets) state.set(b.key, { tokens: level(b, t) - 1, at: t });
      return 0;
    },
  };
}
