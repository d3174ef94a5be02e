import Decimal from 'decimal.js';
import { z } from 'zod';

/** ISO 4217 codes the runtime knows; Intl keeps this list current with the ICU data shipped in Node. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const DECIMAL = /^-?\d+(\.\d+)?$/;

export const decimalString = z
  .string({ invalid_type_error: 'must be a decimal string such as "19.99"' })
  .regex(DECIMAL, { message: 'is not a decimal amount (expected digits such as "19.99")' });

export const currencyCode = z
  .string()
  .refine((code) => CURRENCIES.has(code), { message: 'is not an ISO 4217 currency code' });

export const moneySchema = z.object({ amount: decimalString, currency: currencyCode });
export type Money = z.infer<typeof moneySchema>;

/** Adds money of one currency exactly; mixing currencies is a programming error, not a rounding choice. */
export function sumMoney(values: Money[], currency: string): Money {
  const total = values.reduce((acc, value) => {
    if (value.currency !== currency) throw new Error(`cannot add ${value.currency} to ${currency}`);
    return acc.plus(new Decimal(value.amount));
  }, new Decimal(0));
  return { amount: total.toFixed(2), currency };
}

/** Normalises "19.9" and "19.900" to "19.90" so equal amounts hash and compare equal. */
export function normaliseAmount(amount: string): string {
  return DECIMAL.test(amount) ? new Decimal(amount).toFixed(Math.max(2, decimalPlaces(amount))) : amount;
}

function decimalPlaces(amount: string): number {
  const trimmed = amount.replace(/0+$/, '');
  const dot = trimmed.indexOf('.');
  return dot === -1 ? 0 : trimmed.length - dot - 1;
}
