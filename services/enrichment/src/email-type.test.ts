import { describe, expect, it } from 'vitest';
import { emailSuggestion, emailType } from './index.js';

describe('emailType', () => {
  it('tells consumer mailboxes from business domains', () => {
    expect(emailType('ann@gmail.com')).toBe('free');
    expect(emailType('ann@googlemail.com')).toBe('free');
    expect(emailType('ann@web.de')).toBe('free');
    expect(emailType('ann@acme.io')).toBe('business');
    expect(emailType('')).toBe('');
  });

  it('calls a function mailbox a role, whatever its separators or +tag', () => {
    expect(emailType('info@acme.io')).toBe('role');
    expect(emailType('Sales@acme.io')).toBe('role');
    expect(emailType('customer.service+leads@acme.io')).toBe('role');
    expect(emailType('support@gmail.com')).toBe('role');
    expect(emailType('ann.lee@acme.io')).toBe('business');
  });

  it('calls a throwaway domain disposable', () => {
    expect(emailType('x@mailinator.com')).toBe('disposable');
    expect(emailType('x@10minutemail.com')).toBe('disposable');
    expect(emailType('info@guerrillamail.com')).toBe('disposable');
    expect(emailType('x@inbox.mailinator.com')).toBe('disposable');
  });

  it('counts a typo of a big provider as the provider\'s free mailbox, not as disposable', () => {
    expect(emailType('ann@gmial.com')).toBe('free');
  });
});

describe('emailSuggestion', () => {
  it('suggests the provider a domain is likely a typo of', () => {
    expect(emailSuggestion('ann@gmial.com')).toBe('gmail.com');
    expect(emailSuggestion('ann@yaho.com')).toBe('yahoo.com');
    expect(emailSuggestion('ann@hotmial.com')).toBe('hotmail.com');
    expect(emailSuggestion('ann@gnail.com')).toBe('gmail.com');
    expect(emailSuggestion('ann@outlok.com')).toBe('outlook.com');
    expect(emailSuggestion('ann@gmail.con')).toBe('gmail.com');
    expect(emailSuggestion('ann@aol.con')).toBe('aol.com');
  });

  it('leaves the providers themselves alone: gmail.com is not a typo', () => {
    for (const d of ['gmail.com', 'yahoo.com', 'hotmail.com', 'mail.com', 'ymail.com', 'me.com', 'live.com']) {
      expect(emailSuggestion(`ann@${d}`)).toBe('');
    }
  });

  it('does not flag a real business near a provider', () => {
    for (const d of ['aon.com', 'msc.com', 'hotmart.com', 'comcast.com', 'email.com', 'acme.com', 'yahooinc.com', 'gmx.net']) {
      expect(emailSuggestion(`ann@${d}`), d).toBe('');
    }
  });

  it('answers nothing without an email', () => {
    expect(emailSuggestion('')).toBe('');
  });
});
