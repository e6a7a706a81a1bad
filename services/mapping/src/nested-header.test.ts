import { describe, expect, it } from 'vitest';
import { mapColumns } from './index.js';
import { BUILT_IN_ALIASES, withSynonyms } from './alias-table.js';
import { headerMatches } from './nested-header.js';

describe('dotted column names of nested records', () => {
  it('maps address.city as a city and contact.email as an email, by their last key; numbered parts by the key before', () => {
    const headers = ['address.street', 'address.city', 'address.zip', 'contact.email', 'phones.1', 'phones.2'];
    const values = [['1 Main St'], ['Boston'], ['02110'], ['a@example.com'], ['(201) 555-0100'], ['(201) 555-0101']];
    expect(mapColumns(headers, values).map((d) => [d.header, d.field])).toEqual([
      ['address.street', 'street'],
      ['address.city', 'city'],
      ['address.zip', 'postal_code'],
      ['contact.email', 'email'],
      ['phones.1', 'phone'],
      ['phones.2', 'phone'],
    ]);
  });

  it('leaves an abbreviation with a dot to the whole name, and a whole name that matches ahead of its last key', () => {
    const decided = mapColumns(['Tel. No.', 'E.Mail'], [['(201) 555-0100'], ['a@example.com']]);
    expect(decided.map((d) => d.field)).toEqual(['phone', 'email']);
    expect(decided[1]!.evidence[0]!.detail).not.toContain('nested record');
  });
});

describe('header matches kept by alias table', () => {
  it('answers a header as before from a table seen, and afresh from a table with a new synonym', () => {
    const before = headerMatches('Kontakt Nummer', BUILT_IN_ALIASES);
    expect(headerMatches('Kontakt Nummer', BUILT_IN_ALIASES)).toEqual(before);
    expect(before.some((m) => m.field === 'company' && m.score >= 0.97)).toBe(false);
    const changed = withSynonyms({ company: ['Kontakt Nummer'] });
    expect(headerMatches('Kontakt Nummer', changed).find((m) => m.field === 'company')?.score).toBeGreaterThanOrEqual(0.97);
    // The answer handed out is the caller's: changing it changes no later answer.
    headerMatches('Kontakt Nummer', changed).length = 0;
    expect(headerMatches('Kontakt Nummer', changed).length).toBeGreaterThan(0);
  });
});
