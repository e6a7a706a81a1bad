/**
 * A map that keeps at most `size` entries, dropping the least recently used: enrichment's caches
 * of answers that depend only on a key (an email domain, a phone prefix, a job title, a company).
 * A size of 0 keeps nothing (every look-up misses), which the reference path and tests use.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new TypeError(`cache size must be a whole number ≥ 0, got ${size}`);
  }

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      // To the end of the map's order: the most recently used.
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (this.size === 0) return;
    if (this.map.size >= this.size) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, value);
  }

  get entries(): number {
    return this.map.size;
  }
}
