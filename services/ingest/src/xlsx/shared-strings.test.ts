import { describe, expect, it } from 'vitest';
import { SharedStrings } from './shared-strings.js';

describe('SharedStrings', () => {
  it('gives back every string by index, any script, long or short, after the cache slots are reused', () => {
    const table = new SharedStrings(10 * 1024 * 1024);
    const texts = Array.from({ length: 40_000 }, (_, i) => (i % 3 === 0 ? `東京 ${i} 😀` : i % 3 === 1 ? `Zoë ${'x'.repeat(i % 200)}` : ''));
    for (const t of texts) table.add(t);
    expect(table.size).toBe(texts.length);
    for (const i of [0, 1, 2, 16_384, 3, 16_385, 39_999, 0, 16_384]) expect(table.get(i)).toBe(texts[i]);
    expect(texts.every((t, i) => table.get(i) === t)).toBe(true);
    expect([table.get(-1), table.get(40_000), table.get(1.5), table.get(Number.NaN)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('counts the bytes of the text and four a string, and refuses past its limit with FILE_TOO_LARGE', () => {
    const empty = new SharedStrings(4096);
    for (let i = 0; i < 1024; i++) empty.add('');
    expect(() => empty.add('')).toThrow(expect.objectContaining({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('more than 4096 bytes') }));
    const wide = new SharedStrings(4096);
    wide.add('é'.repeat(2045));
    expect(() => wide.add('')).toThrow(expect.objectContaining({ code: 'FILE_TOO_LARGE' }));
  });
});
