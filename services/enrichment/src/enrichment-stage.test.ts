import { describe, expect, it } from 'vitest';
import { emailType } from './index.js';

describe('emailType', () => {
  it('tells consumer mailboxes from business domains', () => {
    expect(emailType('ann@gmail.com')).toBe('free');
    expect(emailType('ann@googlemail.com')).toBe('free');
    expect(emailType('ann@acme.io')).toBe('business');
    expect(emailType('')).toBe('');
  });
});
