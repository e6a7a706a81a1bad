export interface ReloadingCacheOptions<K> {
  /** A value is read again once it is this old: the bound within which every replica sees a change. */
  ttlMs: number;
  /** Keys held at most; past it the cache starts afresh (a bound on memory, not an eviction policy). @default 10000 */
  maxKeys?: number;
  /** The key as a string. @default String */
  keyOf?: (key: K) => string;
}

export interface ReloadingCache<K, V> {
  get(key: K): Promise<V>;
  /** Reads the key again at its next get (a change made in this process). */
  forget(key: K): void;
}

/**
 * Settings kept in the database per tenant (a dedup policy, header synonyms), read again at most
 * every `ttlMs`: every replica picks up a change within that bound, without a restart, for one
 * query per key and interval. `load` gets the value it replaces, so it can ask only whether it
 * changed. Concurrent gets of a key share one load; a load that fails is not kept.
 */
export function createReloadingCache<K, V>(load: (key: K, previous: V | undefined) => Promise<V>, opts: ReloadingCacheOptions<K>): ReloadingCache<K, V> {
  const keyOf = opts.keyOf ?? String;
  const maxKeys = opts.maxKeys ?? 10_000;
  const entries = new Map<string, { at: number; value: V }>();
  const loading = new Map<string, Promise<V>>();
  return {
    get(key) {
      const k = keyOf(key);
      const hit = entries.get(k);
      if (hit && Date.now() - hit.at < opts.ttlMs) return Promise.resolve(hit.value);
      const pending = loading.get(k);
      if (pending) return pending;
      // Aged from when the read began: a change committed after that is seen by the next read.
      const at = Date.now();
      const loaded = load(key, hit?.value)
        .then((value) => {
          if (loading.get(k) !== loaded) return value;
          if (entries.size >= maxKeys && !entries.has(k)) entries.clear();
          entries.set(k, { at, value });
          return value;
        })
        .finally(() => {
          if (loading.get(k) === loaded) loading.delete(k);
        });
      loading.set(k, loaded);
      return loaded;
    },
    forget(key) {
      const k = keyOf(key);
      entries.delete(k);
      loading.delete(k);
    },
  };
}
