import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReloadingCache } from './index.js';

describe('a setting read again at most every ttl', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads a key once per interval, handing the next read what it replaces', async () => {
    const reads: [string, number | undefined][] = [];
    let stored = 1;
    const cache = createReloadingCache(async (key: string, previous: number | undefined) => {
      reads.push([key, previous]);
      return stored;
    }, { ttlMs: 30_000 });
    expect(await cache.get('acme')).toBe(1);
    stored = 2;
    vi.advanceTimersByTime(29_999);
    expect(await cache.get('acme')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await cache.get('acme')).toBe(2);
    expect(await cache.get('globex')).toBe(2);
    expect(reads).toEqual([['acme', undefined], ['acme', 1], ['globex', undefined]]);
  });

  it('shares one read among concurrent gets of a key, and keeps no failed read', async () => {
    let calls = 0;
    let fail = true;
    const cache = createReloadingCache(async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error('database away');
      return 'policy';
    }, { ttlMs: 1000 });
    const both = await Promise.allSettled([cache.get('t'), cache.get('t')]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    fail = false;
    expect(await cache.get('t')).toBe('policy');
    expect(calls).toBe(2);
  });

  it('reads a forgotten key again at once, even while an older read is under way', async () => {
    let value = 'old';
    let release: () => void = () => {};
    const cache = createReloadingCache(async () => {
      const seen = value;
      if (seen === 'old') await new Promise<void>((resolve) => (release = resolve));
      return seen;
    }, { ttlMs: 60_000 });
    const stale = cache.get('t');
    value = 'new';
    cache.forget('t');
    expect(await cache.get('t')).toBe('new');
    release();
    expect(await stale).toBe('old');
    expect(await cache.get('t')).toBe('new');
  });
});
