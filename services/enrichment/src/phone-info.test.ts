import { describe, expect, it } from 'vitest';
import { phoneInfo } from './index.js';
import { phoneTimeZones, phoneTimeZonesReference } from './phone-info.js';

describe('phoneInfo', () => {
  it('says unknown for a North American number the plan calls fixed line or mobile, with its place and zone', () => {
    expect(phoneInfo('+12125550123')).toEqual({ type: 'unknown', country: 'US', place: 'New York, NY', timeZones: ['America/New_York'] });
    expect(phoneInfo('+13125550199')?.timeZones).toEqual(['America/Chicago']);
    expect(phoneInfo('+14165550123')).toMatchObject({ type: 'unknown', country: 'CA', place: 'Ontario', timeZones: ['America/Toronto'] });
  });

  it('tells a UK mobile from a London landline', () => {
    expect(phoneInfo('+447400123456')).toMatchObject({ type: 'mobile', country: 'GB' });
    expect(phoneInfo('+442079460000')).toMatchObject({ type: 'fixed_line', country: 'GB', timeZones: ['Europe/London'] });
  });

  it('names toll-free, premium and other types where the plan has them', () => {
    expect(phoneInfo('+18005551234')?.type).toBe('toll_free');
    expect(phoneInfo('+19005550123')?.type).toBe('premium');
    expect(phoneInfo('+4915123456789')).toMatchObject({ type: 'mobile', country: 'DE', timeZones: ['Europe/Berlin'] });
    expect(phoneInfo('+61412345678')).toMatchObject({ type: 'mobile', country: 'AU' });
    expect(phoneInfo('+33810123456')?.type).toBe('shared_cost');
    expect(phoneInfo('+445612345678')?.type).toBe('voip');
  });

  it('answers nothing without a number', () => {
    expect(phoneInfo('')).toBeUndefined();
  });
});

describe('phoneInfo with the type mapping read', () => {
  it('answers as a parse does, in our names', () => {
    for (const [e164, planType] of [['+12125550123', 'fixed_line_or_mobile'], ['+447400123456', 'mobile'], ['+18005551234', 'toll_free'], ['+19005550123', 'premium_rate'], ['+4915123456789', 'mobile']]) {
      expect(phoneInfo(e164!, planType), e164).toEqual(phoneInfo(e164!));
    }
  });

  it('keeps a type it gave before: enriching twice changes nothing', () => {
    expect(phoneInfo('+12125550123', 'unknown')?.type).toBe('unknown');
    expect(phoneInfo('+19005550123', 'premium')?.type).toBe('premium');
  });
});

describe('phoneTimeZones', () => {
  it('finds the zones of the longest known prefix as the lookup by prefix strings does', () => {
    const numbers = ['', '0', '1', '12', '1212', '12125550123', '447781123456', '61412345678', '7495123', '999123456789', '1a2125550123',
      '12x', '0123456789', '5215512345678', '358181234567', '39066981234', '1876555123', '18095551234', '9'];
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      numbers.push(String(seed).slice(0, 3 + (i % 10)), `${1 + (i % 9)}${String(seed).padStart(10, '0')}`);
    }
    for (const digits of numbers) expect(phoneTimeZones(digits), digits).toEqual(phoneTimeZonesReference(digits));
  });
});
