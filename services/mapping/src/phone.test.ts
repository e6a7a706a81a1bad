import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { parsePhone } from './normalize.js';

/** What libphonenumber's full parser says, in parsePhone's shape. */
function reference(value: string, region: string) {
  const p = parsePhoneNumberFromString(value, { defaultCountry: region as never, extract: false });
  return p?.isValid() ? { e164: p.number, extension: p.ext ?? '', type: (p.getType() ?? '').toLowerCase() } : undefined;
}

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('parsePhone', () => {
  it('reads a number, its extension and line type', () => {
    expect(parsePhone('(201) 555-0123 ext. 44', 'US')).toEqual({ e164: '+12015550123', extension: '44', type: 'fixed_line_or_mobile' });
    expect(parsePhone('+44 7911 123456', 'US')).toEqual({ e164: '+447911123456', extension: '', type: 'mobile' });
    expect(parsePhone('020 7946 0958', 'GB')).toMatchObject({ e164: '+442079460958', type: 'fixed_line' });
    expect(parsePhone('12', 'US')).toBeUndefined();
  });

  it('gives what the full libphonenumber parser gives, for 20,000 numbers in every common shape', () => {
    const r = rng(7);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
    const shapes = [
      (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`,
      (d: string) => `1-${d}`,
      (d: string) => `+1 ${d}`,
      (d: string) => d,
      (d: string) => `${d} x${digits(3)}`,
      (d: string) => `+${['44', '49', '33', '61', '91', '55', '81', '39', '34', '7'][Math.floor(r() * 10)]} ${d}`,
      (d: string) => `+${d}`,
      (d: string) => `0${d.slice(1)}`,
      (d: string) => `${d.slice(0, 5)}/${d.slice(5)}`,
    ];
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const d = `${2 + Math.floor(r() * 8)}${digits(9)}`;
      const value = shapes[i % shapes.length]!(d);
      const region = ['US', 'US', 'CA', 'GB', 'DE'][i % 5]!;
      const got = parsePhone(value, region);
      const want = reference(value, region);
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${value} (${region}): ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
