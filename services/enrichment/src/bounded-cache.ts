/**
 * A map that keeps at most `size` entries, the least recently used dropped first: enrichment's
 * caches of answers that depend only on a key (an email domain, a phone prefix, a job title, a
 * company). Kept in two generations of size/2 (a segmented LRU): a key read from the older one
 * moves to the newer, and when the newer is full the older is dropped whole. A hit costs one or
 * two look-ups, no reordering (a Map's delete and set on every hit cost more than the answer
 * they keep). A size of 0 keeps nothing (every look-up misses).
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly generation: number;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new TypeError(`cache size must be a whole number ≥ 0, got ${size}`);
    this.generation = Math.max(1, size >> 1);
  }

  get(key: string): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const older = this.old.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: string, value: V): void {
    if (this.size === 0) return;
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  /** Entries held (a key in both generations counts twice); at most `size`. */
  get entries(): number {
    return this.young.size + this.old.size;
  }
}
