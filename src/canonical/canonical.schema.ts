import { z } from 'zod';
import { ISO_COUNTRIES } from './countries';
import { decimalString, nonNegativeMoneySchema as price } from './money';

/**
 * Canonical model v1. Every connector maps into and out of these shapes; the ledger, the engine and
 * reconciliation only ever see canonical records. References name *source* ids and are translated to
 * destination ids by the engine before the outbound mapping runs.
 */
export const text = z.string().nullish();
/** A calendar day that exists: Date.parse alone takes 2026-02-31 for 3 March. */
export function isRealDay(value: string): boolean {
  const parsed = Date.parse(value.slice(0, 10));
  return !isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === value.slice(0, 10);
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
const country = z
  .string()
  .refine((code) => ISO_COUNTRIES.has(code), { message: 'is not an ISO 3166-1 alpha-2 country code' });
export const extra = z.record(z.unknown()).default({});

export const referenceSchema = z.object({
  entity: z.enum(['customer', 'product', 'organization', 'contact', 'user']),
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

export const customerSchema = z.object({
  id: z.string().min(1),
  email: z.string().email({ message: 'is not a valid email address' }),
  firstName: text,
  lastName: text,
  phone: text,
  note: text,
  tags: z.array(z.string()).default([]),
  addresses: z.array(addressSchema).default([]),
  createdAt: isoTimestamp.nullish(),
  updatedAt: isoTimestamp.nullish(),
  extra,
});
export type Customer = z.infer<typeof customerSchema>;

export const variantSchema = z.object({
  sku: z.string().min(1, { message: 'is empty; every variant needs a SKU to be matched in the destination' }),
  title: text,
  price,
  compareAtPrice: price.nullish(),
  /** Option name → value, e.g. { Size: "M", Colour: "Blue" }. */
  options: z.record(z.string()).default({}),
  inventoryQuantity: z
    .number()
    .int({ message: 'is not a whole number of items' })
    .min(0, { message: 'is negative; stock on hand cannot be below zero' })
    .nullish(),
  barcode: text,
  weight: decimalString.nullish(),
});
export type Variant = z.infer<typeof variantSchema>;

export const productSchema = z.object({
  id: z.string().min(1),
  handle: z.string().min(1),
  /** Style / parent SKU where the platform has one. */
  sku: text,
  title: z.string().min(1, { message: 'is empty' }),
  descriptionHtml: text,
  vendor: text,
  productType: text,
  status: z.enum(['active', 'draft', 'archived']),
  tags: z.array(z.string()).default([]),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })).default([]),
  variants: z.array(variantSchema).min(1, { message: 'is empty; a product needs at least one variant' }),
  images: z.array(z.object({ src: z.string().url(), alt: text })).default([]),
  createdAt: isoTimestamp.nullish(),
  updatedAt: isoTimestamp.nullish(),
  extra,
});
export type Product = z.infer<typeof productSchema>;

export const orderLineSchema = z.object({
  title: z.string(),
  sku: text,
  quantity: z.number().int({ message: 'is not a whole number' }).min(0, { message: 'is negative' }),
  unitPrice: price,
  product: referenceSchema.nullish(),
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderSchema = z
  .object({
    id: z.string().min(1),
    number: z.string().min(1),
    email: z.string().email({ message: 'is not a valid email address' }).nullish(),
    currency: z.string(),
    financialStatus: z.enum([
      'pending',
      'authorized',
      'paid',
      'partially_paid',
      'refunded',
      'partially_refunded',
      'voided',
    ]),
    fulfillmentStatus: z.enum(['unfulfilled', 'partial', 'fulfilled']),
    cancelled: z.boolean().default(false),
    customer: referenceSchema.nullish(),
    billingAddress: addressSchema.nullish(),
    shippingAddress: addressSchema.nullish(),
    lines: z.array(orderLineSchema).min(1, { message: 'is empty; an order needs at least one line' }),
    shippingLines: z.array(z.object({ title: z.string(), price })).default([]),
    subtotal: price,
    totalTax: price,
    totalShipping: price,
    totalDiscounts: price,
    total: price,
    note: text,
    tags: z.array(z.string()).default([]),
    createdAt: isoTimestamp,
    processedAt: isoTimestamp.nullish(),
    extra,
  })
  .superRefine((order, ctx) => {
    const moneyFields = ['subtotal', 'totalTax', 'totalShipping', 'totalDiscounts', 'total'] as const;
    for (const field of moneyFields) {
      if (order[field].currency !== order.currency) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [field, 'currency'],
          message: `is ${order[field].currency} but the order is in ${order.currency}`,
        });
      }
    }
  });
export type Order = z.infer<typeof orderSchema>;

export type CanonicalRecord = Customer | Product | Order;
