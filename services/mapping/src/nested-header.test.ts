import { describe, expect, it } from 'vitest';
import { mapColumns } from './index.js';

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
