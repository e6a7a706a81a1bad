import { describe, expect, it } from 'vitest';
import { splitHonorifics, titleCaseName } from './names.js';

describe('titleCaseName', () => {
  it.each([
    ['ann-marie o\'BRIEN', "Ann-Marie O'Brien"],
    ['LUDWIG VAN BEETHOVEN', 'Ludwig van Beethoven'],
    ['mcdonald', 'McDonald'],
    ['MACDONALD', 'MacDonald'],
    ['  jean   DE la fontaine ', 'Jean de la Fontaine'],
    ['van der berg', 'Van der Berg'],
    ['DeShawn', 'DeShawn'],
    ['van der Berg', 'van der Berg'],
    ['josé garcía', 'José García'],
  ])('%s → %s', (input, expected) => {
    expect(titleCaseName(input)).toBe(expected);
  });
});

describe('splitHonorifics', () => {
  it('takes salutations off the front and suffixes off the end', () => {
    expect(splitHonorifics('Dr. Jane Smith, PhD')).toEqual({ name: 'Jane Smith', salutation: 'Dr', suffix: 'PhD' });
    expect(splitHonorifics('Mr John Doe Jr.')).toEqual({ name: 'John Doe', salutation: 'Mr', suffix: 'Jr' });
    expect(splitHonorifics('Ms')).toEqual({ name: 'Ms', salutation: '', suffix: '' });
  });
});
