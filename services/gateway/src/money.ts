import currencyCodes from 'currency-codes';

/**
 * Money as the API shows it: a decimal string in an ISO 4217 currency, never a float
 * (`{ "amount": "0.35", "currency": "USD" }`). Inside, an amount is a whole number of
 * millionths of the currency's unit (a bigint), so sums and products are exact; PostgreSQL keeps
 * it as numeric(18,6). See docs/suppliers.md.
 */
export interface Money {
  amount: string;
  currency: string;
}

/** Decimal places an amount may have: prices per lead below a cent (0.0035) are common in bulk lists. */
export const AMOUNT_DECIMALS = 6;
const UNIT = 10n ** BigInt(AMOUNT_DECIMALS);
/** numeric(18,6): 12 digits before the point. */
const AMOUNT = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** ISO 4217 codes whose minor unit is "N.A.": units of account, metals, testing, no currency. Not money a supplier bills in. */
const NOT_MONEY: ReadonlySet<string> = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

/** Why an amount or a currency cannot be taken; the message says what to send. */
export class MoneyError extends Error {}

/** The ISO 4217 minor unit of a currency (2 for USD, 0 for JPY, 3 for BHD); undefined for a code that is no currency. */
export function currencyDigits(code: string): number | undefined {
  if (NOT_MONEY.has(code)) return undefined;
  return currencyCodes.code(code)?.digits;
}

/** A currency code as sent ("usd" too), as ISO 4217 writes it; a MoneyError when it is none. */
export function parseCurrency(raw: unknown): string {
  const code = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (/^[A-Z]{3}$/.test(code) && currencyDigits(code) !== undefined) return code;
  const shown = typeof raw === 'string' ? `"${raw.slice(0, 20)}"` : JSON.stringify(raw ?? null).slice(0, 20);
  throw new MoneyError(`currency must be an ISO 4217 currency code such as USD, EUR or GBP, not ${shown}`);
}

/** A non-negative decimal string ("0.35", "12", "0.0035") as millionths; a MoneyError for anything else, a number above all. */
export function parseAmount(raw: unknown): bigint {
  if (typeof raw !== 'string') {
    throw new MoneyError(`amount must be a decimal string such as "0.35", not ${typeof raw === 'number' ? 'a JSON number (money is never a float)' : JSON.stringify(raw ?? null).slice(0, 20)}`);
  }
  const m = AMOUNT.exec(raw.trim());
  if (!m) {
    throw new MoneyError(
      `amount must be a decimal string of at most 12 digits before the point and ${AMOUNT_DECIMALS} after it, not negative, such as "0.35", not "${raw.slice(0, 30)}"`,
    );
  }
  return BigInt(m[1]!) * UNIT + BigInt((m[2] ?? '').padEnd(AMOUNT_DECIMALS, '0'));
}

/** Millionths as a decimal string with the currency's minor digits at least, more only where the amount has them. */
export function formatAmount(micros: bigint, currency: string): string {
  const digits = currencyDigits(currency) ?? 2;
  const whole = micros / UNIT;
  let fraction = (micros % UNIT).toString().padStart(AMOUNT_DECIMALS, '0');
  while (fraction.length > digits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

export const moneyOf = (micros: bigint, currency: string): Money => ({ amount: formatAmount(micros, currency), currency });

/** A numeric of PostgreSQL (a decimal string, as pg and PGlite give it) as millionths. */
export function microsOfNumeric(value: string): bigint {
  const [whole = '0', fraction = ''] = value.split('.');
  return BigInt(whole) * UNIT + BigInt(fraction.slice(0, AMOUNT_DECIMALS).padEnd(AMOUNT_DECIMALS, '0'));
}

/** Millionths as the numeric PostgreSQL takes: a decimal string. */
export const numericOf = (micros: bigint): string => `${micros / UNIT}.${(micros % UNIT).toString().padStart(AMOUNT_DECIMALS, '0')}`;

/** `micros / count` to the nearest millionth, halves rounded up (amounts are never negative). */
export const divideRounded = (micros: bigint, count: bigint): bigint => (2n * micros + count) / (2n * count);
