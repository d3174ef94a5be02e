import { z } from 'zod/v4';

/** ISO 4217 codes the runtime knows; Intl keeps this list current with the ICU data shipped in Node. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const DECIMAL = /^-?\d+(\.\d+)?$/;

export const decimalString = z
  .string({ error: 'must be a decimal string such as "19.99"' })
  .regex(DECIMAL, { message: 'is not a decimal amount (expected digits such as "19.99")' });

export const currencyCode = z
  .string()
  .refine((code) => CURRENCIES.has(code), { message: 'is not an ISO 4217 currency code' });

export const moneySchema = z.object({ amount: decimalString, currency: currencyCode });
export type Money = z.infer<typeof moneySchema>;

/** Prices, totals and amounts: money a record can hold, never below zero (a refund is its own record). */
export const nonNegativeMoneySchema = moneySchema.refine((money) => !money.amount.startsWith('-'), {
  message: 'is negative; prices and totals cannot be below zero',
  path: ['amount'],
});
