import { describe, expect, it } from 'vitest';
import { createDncBitmapCache } from './dnc-bitmap-cache.js';

const bitmap = (fill: number) => Buffer.alloc(1000, fill);

describe('the bitmap cache of a dnc replica', () => {
  it('answers a bitmap only at the stamp it was read at, and a new stamp drops every bitmap of the list', () => {
    const cache = createDncBitmapCache(10_000);
    cache.put('1', 'g1:4', 201, bitmap(1));
    cache.put('1', 'g1:4', 202, null);
    cache.put('2', 'g7:1', 201, bitmap(2));
    expect(cache.get('1', 'g1:4', 201)?.[0]).toBe(1);
    expect(cache.get('1', 'g1:4', 202)).toBeNull();
    expect(cache.get('1', 'g1:5', 201)).toBeUndefined();
    cache.put('1', 'g1:5', 203, bitmap(3));
    expect(cache.stampOf('1')).toBe('g1:5');
    expect([cache.get('1', 'g1:4', 201), cache.get('1', 'g1:5', 201), cache.get('1', 'g1:5', 203)?.[0]]).toEqual([undefined, undefined, 3]);
    expect(cache.get('2', 'g7:1', 201)?.[0]).toBe(2);
    expect([cache.size(), cache.bytes()]).toEqual([2, 2000]);
  });

  it('stays within its bound, dropping the least recently used bitmap of any list', () => {
    const cache = createDncBitmapCache(3000);
    cache.put('1', 's', 201, bitmap(1));
    cache.put('1', 's', 202, bitmap(2));
    cache.put('2', 's', 201, bitmap(3));
    cache.get('1', 's', 201);
    cache.put('2', 's', 202, bitmap(4));
    expect(cache.get('1', 's', 202)).toBeUndefined();
    expect([cache.get('1', 's', 201)?.[0], cache.get('2', 's', 201)?.[0], cache.get('2', 's', 202)?.[0]]).toEqual([1, 3, 4]);
    expect([cache.size(), cache.bytes()]).toEqual([3, 3000]);
    // Bigger than the bound: not held at all.
    createDncBitmapCache(500).put('1', 's', 201, bitmap(1));
    const small = createDncBitmapCache(500);
    small.put('1', 's', 201, bitmap(1));
    expect(small.size()).toBe(0);
  });
});
