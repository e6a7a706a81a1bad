import { describe, expect, it } from 'vitest';
import { distinctHeaders } from './distinct-headers.js';

describe('distinctHeaders', () => {
  it('names repeated headers apart by number, the first keeping its name', () => {
    expect(distinctHeaders(['note', 'email', 'note', 'note'])).toEqual(['note', 'email', 'note (2)', 'note (3)']);
  });

  it('names an empty header by its position, and leaves distinct headers as they are', () => {
    expect(distinctHeaders(['email', '', 'phone', ''])).toEqual(['email', 'column 2', 'phone', 'column 4']);
    expect(distinctHeaders(['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('never takes a name another column has', () => {
    expect(distinctHeaders(['note', 'note', 'note (2)'])).toEqual(['note', 'note (3)', 'note (2)']);
    expect(distinctHeaders(['column 2', '', 'column 2'])).toEqual(['column 2', 'column 2 (2)', 'column 2 (3)']);
    const names = distinctHeaders(['x', 'x (2)', 'x', 'x (2)', 'x', '']);
    expect(new Set(names).size).toBe(names.length);
  });
});
