import { describe, expect, it } from 'vitest';
import { isCompanyName, readFullName, splitHonorifics, titleCaseName } from './names.js';

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

describe('readFullName', () => {
  const read = (value: string) => {
    const n = readFullName(value);
    return [n.first, n.last, n.salutation, n.suffix];
  };

  it.each([
    // a comma: the surname first
    ["O'Brien, Micheel", ['Micheel', "O'Brien", '', '']],
    ["O'BRIEN, MICHEEL", ['Micheel', "O'Brien", '', '']],
    ['de la Cruz, Juan', ['Juan', 'de la Cruz', '', '']],
    ['DE LA CRUZ, JUAN', ['Juan', 'de la Cruz', '', '']],
    ['van der Berg, Jan', ['Jan', 'van der Berg', '', '']],
    ['Van Der Berg, Jan', ['Jan', 'Van Der Berg', '', '']],
    ['von Trapp, Maria', ['Maria', 'von Trapp', '', '']],
    ['bin Abdullah, Ahmad', ['Ahmad', 'bin Abdullah', '', '']],
    ['García Márquez, Gabriel', ['Gabriel', 'García Márquez', '', '']],
    ['Smith-Jones, Mary-Kate', ['Mary-Kate', 'Smith-Jones', '', '']],
    ['MCDONALD, RONALD', ['Ronald', 'McDonald', '', '']],
    ['Smith,John', ['John', 'Smith', '', '']],
    ['  Smith ,   John  ', ['John', 'Smith', '', '']],
    ['Smith, John M.', ['John M.', 'Smith', '', '']],
    ['Smith, J.', ['J.', 'Smith', '', '']],
    ['Smith, V', ['V', 'Smith', '', '']],
    ['Nguyen, Van Minh', ['Van Minh', 'Nguyen', '', '']],
    ['Smith,', ['', 'Smith', '', '']],
    // suffixes and titles with the surname first
    ['Smith, John Jr.', ['John', 'Smith', '', 'Jr']],
    ['Smith Jr., John', ['John', 'Smith', '', 'Jr']],
    ['Smith, John, Jr.', ['John', 'Smith', '', 'Jr']],
    ['Smith, John, III', ['John', 'Smith', '', 'III']],
    ['Smith, John, PhD, MBA', ['John', 'Smith', '', 'PhD MBA']],
    ['Smith, Dr. John M.', ['John M.', 'Smith', 'Dr', '']],
    ['Dr. Smith, John', ['John', 'Smith', 'Dr', '']],
    ['Smith, Mrs. Jane', ['Jane', 'Smith', 'Mrs', '']],
    // no comma: first name first
    ['Jane Smith', ['Jane', 'Smith', '', '']],
    ['Dr. Jane Smith, PhD', ['Jane', 'Smith', 'Dr', 'PhD']],
    ['John Smith, Jr.', ['John', 'Smith', '', 'Jr']],
    ['John Smith V', ['John', 'Smith', '', 'V']],
    ['Mary Ann Smith', ['Mary Ann', 'Smith', '', '']],
    ['LUDWIG VAN BEETHOVEN', ['Ludwig', 'van Beethoven', '', '']],
    ['Juan de la Cruz', ['Juan', 'de la Cruz', '', '']],
    ['José Ortega y Gasset', ['José', 'Ortega y Gasset', '', '']],
    ['Mohammed bin Rashid', ['Mohammed', 'bin Rashid', '', '']],
    ["micheel o'brien", ['Micheel', "O'Brien", '', '']],
    ['Madonna', ['Madonna', '', '', '']],
    // the French way: the surname in capitals first
    ['DUPONT Jean-Pierre', ['Jean-Pierre', 'Dupont', '', '']],
    ['DE LA CRUZ Juan', ['Juan', 'de la Cruz', '', '']],
    ['Jean DUPONT', ['Jean', 'Dupont', '', '']],
    ['JP Morgan', ['JP', 'Morgan', '', '']],
  ])('%s', (value, expected) => {
    expect(read(value)).toEqual(expected);
  });

  it('writes the full name first name first, and takes a nickname out', () => {
    expect(readFullName("O'Brien, Micheel").full).toBe("Micheel O'Brien");
    expect(readFullName('de la Cruz, Juan').full).toBe('Juan de la Cruz');
    expect(readFullName('Robert "Bob" Smith')).toMatchObject({ first: 'Robert', last: 'Smith', nickname: 'Bob' });
    expect(readFullName('Smith, Robert (Bob)')).toMatchObject({ first: 'Robert', last: 'Smith', nickname: 'Bob', full: 'Robert Smith' });
    expect(readFullName("Mary 'Molly' O'Neil")).toMatchObject({ first: 'Mary', last: "O'Neil", nickname: 'Molly' });
  });
});

describe('isCompanyName', () => {
  it.each(['Acme, Inc.', 'Acme Inc', 'Globex LLC', 'Initech, L.L.C.', 'Stark Industries', 'Wayne Enterprises, Ltd.', 'Müller AG', 'Acme Co.', 'Smith & Co', 'Smith & Sons', 'Vandelay Holdings', 'Dewey, Cheatham & Howe, LLP'])(
    '%s is a company',
    (value) => expect(isCompanyName(value)).toBe(true),
  );
  it.each(["O'Brien, Micheel", 'John Co', 'Kim, Sa', 'Ann Lee', 'Smith, John Jr.', 'JOHN CO', 'Madonna'])('%s is a person', (value) => expect(isCompanyName(value)).toBe(false));
});
