import { describe, expect, it } from 'vitest';
import { GatewayError } from './gateway-error.js';
import { jsonLeadRow } from './json-lead-row.js';

const refusal = (lead: unknown) => {
  try {
    jsonLeadRow(lead);
  } catch (err) {
    return err instanceof GatewayError ? [err.code, err.message] : err;
  }
  return 'accepted';
};

describe('a lead sent as JSON, as the row of a file', () => {
  it('makes its field names the header and its values the cells, in the order sent', () => {
    expect(jsonLeadRow({ 'E-Mail': 'ann@example.com', phone: 2015550123, first_name: 'Ann', opt_in: true, company: null })).toEqual({
      header: ['E-Mail', 'phone', 'first_name', 'opt_in', 'company'],
      cells: ['ann@example.com', '2015550123', 'Ann', 'true', ''],
    });
  });

  it('refuses a nested object or an array, naming the field and what to send instead', () => {
    expect(refusal({ email: 'a@b.co', address: { city: 'Austin' } })).toEqual(['INVALID_LEAD', expect.stringContaining('field "address" is an object')]);
    expect(refusal({ emails: ['a@b.co', 'c@d.co'] })).toEqual(['INVALID_LEAD', expect.stringContaining('field "emails" is an array: give each value a field of its own')]);
  });

  it('refuses what is no lead: not an object, no fields, an empty or overlong name, too many fields, an overlong value', () => {
    expect(refusal([{ email: 'a@b.co' }])).toEqual(['INVALID_LEAD', expect.stringContaining('not a JSON object')]);
    expect(refusal('a@b.co')).toEqual(['INVALID_LEAD', expect.stringContaining('not a JSON object')]);
    expect(refusal({})).toEqual(['INVALID_LEAD', expect.stringContaining('no fields')]);
    expect(refusal({ ' ': 'x' })).toEqual(['INVALID_LEAD', expect.stringContaining('empty name')]);
    expect(refusal({ ['n'.repeat(201)]: 'x' })).toEqual(['INVALID_LEAD', expect.stringContaining('longer than 200 characters')]);
    expect(refusal(Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`f${i}`, 'x'])))).toEqual(['INVALID_LEAD', expect.stringContaining('201 fields, more than 200')]);
    expect(refusal({ notes: 'x'.repeat(10_001) })).toEqual(['INVALID_LEAD', expect.stringContaining('"notes" is longer than 10000 characters')]);
  });
});
