import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The digits of an E.164 number as people write it at home, without the country code
 * (`+12125550100` → `2125550100`, `+442079460958` → `2079460958`): what every spelling of the
 * number holds among its digits ("(212) 555-0100", "1-212-555-0100", "020 7946 0958"). Erasure
 * (docs/erasure.md) finds a person's number in cells as suppliers sent them by it.
 */
export function nationalDigits(e164: string): string {
  return parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.replace(/\D/g, '');
}
