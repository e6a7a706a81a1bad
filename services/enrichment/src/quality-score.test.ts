import { describe, expect, it } from 'vitest';
import { emptyLead } from '@leadflow/pipeline';
import type { Lead } from '@leadflow/proto';
import { DEFAULT_QUALITY_SETTINGS, mergeQualitySettings, parseQualitySettings, qualityScore, QUALITY_COMPONENTS } from './index.js';

const complete: Partial<Lead> = {
  firstName: 'Ann', lastName: 'Archer', email: 'ann@bluewater.com', emailType: 'business', phone: '+12125550123', phoneType: 'mobile',
  company: 'Bluewater Plumbing', jobTitle: 'VP of Sales', industry: '23', street: '1 Main St', city: 'New York', state: 'NY',
  postalCode: '10001', timezone: 'America/New_York', exclusivity: 'exclusive',
};
const lead = (l: Partial<Lead>): Lead => ({ ...emptyLead(), ...l });
const points = (detail: string) => Object.fromEntries(detail.split(';').map((p) => [p.split('=')[0], Number(p.split('=')[1])]));
const weights = DEFAULT_QUALITY_SETTINGS.weights;

describe('the quality score', () => {
  it('gives a complete, exclusive lead with a mobile phone 100, every component listed with its points', () => {
    const q = qualityScore(lead(complete), false, weights);
    expect(q.score).toBe(100);
    expect(Object.keys(points(q.detail))).toEqual(Object.keys(QUALITY_COMPONENTS));
    expect(points(q.detail)).toMatchObject({ valid_email: 20, valid_phone: 20, mobile_phone: 5, names: 15, complete_address: 15, role_email: 0, non_exclusive: 0 });
  });

  it('adds the points of what a lead has: an email and a name only is 35', () => {
    const q = qualityScore(lead({ email: 'ann@bluewater.com', emailType: 'business', firstName: 'Ann', lastName: 'Archer' }), false, weights);
    expect(q.score).toBe(35);
    expect(q.detail).toBe(
      'valid_email=20;valid_phone=0;mobile_phone=0;names=15;company=0;job_title=0;industry=0;complete_address=0;timezone=0;' +
        'disposable_email=0;role_email=0;email_typo=0;possible_duplicate=0;non_exclusive=0',
    );
  });

  it('takes points away for a role email, a typo domain, a possible duplicate and another supplier having the person', () => {
    const q = qualityScore(lead({ ...complete, emailType: 'role', emailSuggestion: 'gmail.com', exclusivity: 'non-exclusive' }), true, weights);
    expect(points(q.detail)).toMatchObject({ role_email: -10, email_typo: -10, possible_duplicate: -15, non_exclusive: -10 });
    expect(q.score).toBe(55);
  });

  it('never goes under 0: a disposable email and nothing else', () => {
    const q = qualityScore(lead({ email: 'x@mailinator.com', emailType: 'disposable' }), false, weights);
    expect(points(q.detail)).toMatchObject({ valid_email: 20, disposable_email: -30 });
    expect(q.score).toBe(0);
  });

  it("counts an address complete with a street and a postal code, or a street, city and state; not a city alone", () => {
    const score = (l: Partial<Lead>) => points(qualityScore(lead(l), false, weights).detail).complete_address;
    expect([score({ street: '1 Main St', postalCode: '10001' }), score({ street: '1 Main St', city: 'Austin', state: 'TX' }), score({ city: 'Austin', state: 'TX' })]).toEqual([15, 15, 0]);
  });

  it("uses a tenant's weights: phones count more, a role email is no risk", () => {
    const tenant = mergeQualitySettings(DEFAULT_QUALITY_SETTINGS, parseQualitySettings({ weights: { valid_phone: 40, role_email: 0 } }));
    const q = qualityScore(lead({ phone: '+12125550123', email: 'info@acme.com', emailType: 'role' }), false, tenant.weights);
    expect(points(q.detail)).toMatchObject({ valid_email: 20, valid_phone: 40, role_email: 0 });
    expect(q.score).toBe(60);
    expect(DEFAULT_QUALITY_SETTINGS.weights.valid_phone).toBe(20);
  });
});

describe('quality settings', () => {
  it('default to weights adding up to 100, no threshold, 90 days of exclusivity and 08:00–21:00', () => {
    const positive = Object.values(DEFAULT_QUALITY_SETTINGS.weights).filter((w) => w > 0);
    expect(positive.reduce((a, b) => a + b, 0)).toBe(100);
    expect(DEFAULT_QUALITY_SETTINGS).toMatchObject({ threshold: 0, thresholdAction: 'warning', exclusivityDays: 90, callingWindow: { start: '08:00', end: '21:00' } });
  });

  it('refuse what cannot be a setting, naming it', () => {
    const refusal = (json: unknown) => {
      try {
        parseQualitySettings(json);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refusal({ threshhold: 50 })).toMatch(/^"threshhold" is not a quality setting/);
    expect(refusal({ weights: { phone: 10 } })).toMatch(/^"phone" is not a quality component/);
    expect(refusal({ weights: { role_email: 10 } })).toBe('weights.role_email must be a whole number from -100 to 0 (a risk takes points away)');
    expect(refusal({ weights: { valid_email: 20.5 } })).toBe('weights.valid_email must be a whole number from 0 to 100');
    expect(refusal({ threshold: 101 })).toMatch(/^threshold must be/);
    expect(refusal({ thresholdAction: 'reject' })).toBe('thresholdAction must be "warning" or "error"');
    expect(refusal({ exclusivityDays: 0 })).toMatch(/^exclusivityDays must be/);
    expect(refusal({ callingWindow: { start: '8am', end: '21:00' } })).toMatch(/^callingWindow start and end/);
    expect(refusal([])).toBe('send the settings as a JSON object');
    expect(refusal({ threshold: 40, thresholdAction: 'error', exclusivityDays: 30, callingWindow: { start: '09:00', end: '20:00' } })).toBe('');
  });
});
