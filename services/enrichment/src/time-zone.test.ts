import { describe, expect, it } from 'vitest';
import { callableNow, leadTimeZone, windowMinutes } from './index.js';

const none = { postalCode: '', state: '', country: '', phoneZones: [] as string[], phoneCountry: '' };

describe('leadTimeZone', () => {
  it('takes the ZIP code first, then the state, then a one-zone country', () => {
    expect(leadTimeZone({ ...none, postalCode: '79901', state: 'TX', country: 'US' })).toBe('America/Denver'); // El Paso
    expect(leadTimeZone({ ...none, state: 'TX', country: 'US' })).toBe('America/Chicago');
    expect(leadTimeZone({ ...none, state: 'ON', country: 'CA' })).toBe('America/Toronto');
    expect(leadTimeZone({ ...none, country: 'GB' })).toBe('Europe/London');
    expect(leadTimeZone({ ...none, country: 'DE' })).toBe('Europe/Berlin');
  });

  it('falls back to the phone number, but not against the address country', () => {
    expect(leadTimeZone({ ...none, phoneZones: ['America/Los_Angeles'], phoneCountry: 'US' })).toBe('America/Los_Angeles');
    expect(leadTimeZone({ ...none, country: 'US', phoneZones: ['America/Los_Angeles'], phoneCountry: 'US' })).toBe('America/Los_Angeles');
    expect(leadTimeZone({ ...none, country: 'BR', phoneZones: ['America/Los_Angeles'], phoneCountry: 'US' })).toBe('');
    expect(leadTimeZone({ ...none, country: 'US' })).toBe('');
    expect(leadTimeZone(none)).toBe('');
  });
});

describe('callableNow', () => {
  const window = windowMinutes({ start: '08:00', end: '21:00' });
  const at = new Date('2026-07-01T13:30:00Z'); // 09:30 in New York, 06:30 in Los Angeles

  it('is open where the local time is inside the window, for a fixed clock', () => {
    expect(callableNow('America/New_York', at, window)).toBe('true');
    expect(callableNow('America/Los_Angeles', at, window)).toBe('false');
    expect(callableNow('Europe/London', at, window)).toBe('true');
    expect(callableNow('Asia/Tokyo', at, window)).toBe('false'); // 22:30
  });

  it('closes at the end minute and handles a window past midnight', () => {
    expect(callableNow('UTC', new Date('2026-07-01T21:00:00Z'), window)).toBe('false');
    expect(callableNow('UTC', new Date('2026-07-01T20:59:00Z'), window)).toBe('true');
    const night = windowMinutes({ start: '22:00', end: '06:00' });
    expect(callableNow('UTC', new Date('2026-07-01T23:00:00Z'), night)).toBe('true');
    expect(callableNow('UTC', new Date('2026-07-01T12:00:00Z'), night)).toBe('false');
  });

  it('says nothing without a zone and refuses a malformed window', () => {
    expect(callableNow('', at, window)).toBe('');
    expect(() => windowMinutes({ start: '8am', end: '21:00' })).toThrow(/HH:MM/);
  });
});
