import { describe, expect, it } from 'vitest';
import { splitAddress } from './address.js';

describe('splitAddress', () => {
  it.each([
    ['123 Main St, Springfield, IL 62704', { street: '123 Main St', city: 'Springfield', state: 'IL', postalCode: '62704', country: 'US' }],
    ['123 Main St, Apt 4, Springfield IL 62704-1234, USA', { street: '123 Main St, Apt 4', city: 'Springfield', state: 'IL', postalCode: '62704-1234', country: 'US' }],
    ['100 Queen St W, Toronto, ON M5H 2N2', { street: '100 Queen St W', city: 'Toronto', state: 'ON', postalCode: 'M5H 2N2', country: 'CA' }],
    ['44 Forbes Street, Wintersloe VIC 4510', { street: '44 Forbes Street', city: 'Wintersloe', state: 'VIC', postalCode: '4510', country: 'AU' }],
    ['10 Downing St, London SW1A 2AA', { street: '10 Downing St', city: 'London', state: '', postalCode: 'SW1A 2AA', country: 'GB' }],
    ['1600 Pennsylvania Ave NW, Washington, District of Columbia 20500', undefined],
    // the state abbreviated, or in two words
    ['1 Infinite Loop, Cupertino, Calif. 95014', { street: '1 Infinite Loop', city: 'Cupertino', state: 'CA', postalCode: '95014', country: 'US' }],
    ['77 Massachusetts Ave, Cambridge, Mass. 02139', { street: '77 Massachusetts Ave', city: 'Cambridge', state: 'MA', postalCode: '02139', country: 'US' }],
    ['1 Capitol St, Charleston, W. Va. 25301', { street: '1 Capitol St', city: 'Charleston', state: 'WV', postalCode: '25301', country: 'US' }],
    ['600 E Blvd Ave, Bismarck North Dakota 58505', { street: '600 E Blvd Ave', city: 'Bismarck', state: 'ND', postalCode: '58505', country: 'US' }],
    ['5 Main St, Virginia Beach VA 23451', { street: '5 Main St', city: 'Virginia Beach', state: 'VA', postalCode: '23451', country: 'US' }],
  ])('%s', (line, expected) => {
    expect(splitAddress(line)).toEqual(expected);
  });

  it('keeps lines whose pattern is not clear', () => {
    expect(splitAddress('12 Main St')).toBeUndefined();
    expect(splitAddress('Unit 5, Building C')).toBeUndefined();
    expect(splitAddress('Hauptstraße 5, 10115 Berlin')).toBeUndefined();
  });
});
