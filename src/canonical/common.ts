import { z } from 'zod/v4';
import { ISO_COUNTRIES } from './countries';
import { isCanonicalType } from './registry';

/**
 * Canonical model v1. Every connector maps into and out of these shapes; the ledger, the engine and
 * reconciliation only ever see canonical records. References name *source* ids and are translated to
 * destination ids by the engine before the outbound mapping runs.
 */
export const text = z.string().nullish();
/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar day that exists (`YYYY-MM-DD…`, Gregorian): Date.parse alone takes 2026-02-31 for 3 March. */
export function isRealDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]);
}
export const isoTimestamp = z
  .string()
  .refine(
    (value) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) &&
      !isNaN(Date.parse(value)) &&
      isRealDay(value),
    { message: 'is not an ISO 8601 UTC timestamp' },
  );
export const country = z
  .string()
  .refine((code) => ISO_COUNTRIES.has(code), { message: 'is not an ISO 3166-1 alpha-2 country code' });
export const extra = z.record(z.string(), z.unknown()).default({});

export const referenceSchema = z.object({
  /** A canonical type in the registry. */
  entity: z.string().refine(isCanonicalType, { message: 'is not a canonical entity type' }),
  sourceId: z.string().min(1),
  /** Filled by the engine from the ledger: the record's id in the destination. */
  destinationId: z.string().optional(),
  /** For product references: the variant sold, by SKU. */
  sku: z.string().nullish(),
  destinationVariantId: z.string().optional(),
});
export type Reference = z.infer<typeof referenceSchema>;

export const addressSchema = z.object({
  kind: z.enum(['billing', 'shipping', 'other']).default('other'),
  isDefault: z.boolean().default(false),
  firstName: text,
  lastName: text,
  company: text,
  line1: text,
  line2: text,
  city: text,
  province: text,
  postalCode: text,
  country: country.nullish(),
  phone: text,
});
export type Address = z.infer<typeof addressSchema>;

/** A calendar date without a time. */
export const isoDate = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && isRealDay(value), {
  message: 'is not a date (YYYY-MM-DD)',
});
