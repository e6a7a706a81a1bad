import { describe, expect, it } from 'vitest';
import { currencyDigits, divideRounded, formatAmount, microsOfNumeric, MoneyError, numericOf, parseAmount, parseCurrency } from './money.js';

describe('money', () => {
  it.each([
    ['0.35', 350_000n],
    ['12', 12_000_000n],
    ['0.0035', 3_500n],
    [' 1.5 ', 1_500_000n],
    ['999999999999.999999', 999_999_999_999_999_999n],
    ['0', 0n],
  ])('reads the amount "%s" exactly, as millionths', (raw, micros) => {
    expect(parseAmount(raw)).toBe(micros);
  });

  it.each([
    [0.35, 'amount must be a decimal string such as "0.35", not a JSON number (money is never a float)'],
    ['-1', 'not "-1"'],
    ['0.0000001', 'not "0.0000001"'],
    ['1e3', 'not "1e3"'],
    ['.5', 'not ".5"'],
    ['1000000000000', 'not "1000000000000"'],
    [null, 'amount must be a decimal string such as "0.35", not null'],
  ])('refuses the amount %j, saying what to send', (raw, message) => {
    expect(() => parseAmount(raw)).toThrow(MoneyError);
    expect(() => parseAmount(raw)).toThrow(message);
  });

  it('takes ISO 4217 currencies in any case, and refuses codes that are no money a supplier bills in', () => {
    expect([parseCurrency('usd'), parseCurrency('JPY'), parseCurrency(' bhd ')]).toEqual(['USD', 'JPY', 'BHD']);
    expect([currencyDigits('USD'), currencyDigits('JPY'), currencyDigits('BHD'), currencyDigits('CLF')]).toEqual([2, 0, 3, 4]);
    for (const code of ['XYZ', 'US', 'XAU', 'XXX', 'XTS', '']) expect(() => parseCurrency(code), code).toThrow('currency must be an ISO 4217 currency code');
    expect(() => parseCurrency(840)).toThrow('not 840');
  });

  it("shows an amount with the currency's minor digits, and more only where it has them", () => {
    expect(formatAmount(350_000n, 'USD')).toBe('0.35');
    expect(formatAmount(12_000_000n, 'USD')).toBe('12.00');
    expect(formatAmount(3_500n, 'USD')).toBe('0.0035');
    expect(formatAmount(1_000_000n, 'JPY')).toBe('1');
    expect(formatAmount(500_000n, 'JPY')).toBe('0.5');
    expect(formatAmount(1_500_000n, 'BHD')).toBe('1.500');
    expect(formatAmount(583_333n, 'USD')).toBe('0.583333');
  });

  it('keeps sums exact: numeric to millionths and back, and a division rounded half up to the millionth', () => {
    expect(microsOfNumeric('1.750000')).toBe(1_750_000n);
    expect(microsOfNumeric('3')).toBe(3_000_000n);
    expect(numericOf(1_750_000n)).toBe('1.750000');
    expect(numericOf(3_500n)).toBe('0.003500');
    // 0.1 + 0.2 in floats is 0.30000000000000004; here it is 0.3.
    expect(formatAmount(parseAmount('0.1') + parseAmount('0.2'), 'USD')).toBe('0.30');
    expect(divideRounded(1_750_000n, 3n)).toBe(583_333n);
    expect(divideRounded(2_000_000n, 3n)).toBe(666_667n);
    expect(divideRounded(5n, 10n)).toBe(1n);
    expect(divideRounded(4n, 10n)).toBe(0n);
  });
});
