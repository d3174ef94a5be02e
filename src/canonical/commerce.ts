import { z } from 'zod/v4';
import { addressSchema, country, extra, isoTimestamp, referenceSchema, text } from './common';
import { decimalString, nonNegativeMoneySchema as price } from './money';
import { defineEntity } from './registry';

/** A tax rate as a fraction: "0.21" for 21%. */
const taxRate = decimalString.refine((rate) => Number(rate) >= 0 && Number(rate) < 1, {
  message: 'is not a rate between 0 and 1 (21% is "0.21")',
});

/**
 * Canonical commerce: a shop's customers, products (with variants) and orders (with lines). References
 * name *source* ids and are translated to destination ids by the engine before the outbound mapping runs.
 */
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
  options: z.record(z.string(), z.string()).default({}),
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
    /** `tax`: what was charged on it, where the source says (an ERP chooses its VAT code by it). */
    shippingLines: z.array(z.object({ title: z.string(), price, tax: price.nullish() })).default([]),
    subtotal: price,
    totalTax: price,
    /**
     * The taxes charged, one per rate (a shop's VAT at 21%): what an ERP's VAT code is chosen by. `rate` is a
     * fraction ("0.21"); `country` whose rate it is; `amount` what was charged at it, shipping's share included.
     */
    taxLines: z
      .array(z.object({ title: z.string(), rate: taxRate, country: country.nullish(), amount: price }))
      .default([]),
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
          code: 'custom',
          path: [field, 'currency'],
          message: `is ${order[field].currency} but the order is in ${order.currency}`,
        });
      }
    }
  });
export type Order = z.infer<typeof orderSchema>;

defineEntity({
  name: 'customers',
  type: 'customer',
  schema: customerSchema,
  naturalKeys: [{ name: 'email', path: 'email', caseless: true }],
  categories: [
    {
      name: 'country',
      path: 'addresses[].country',
      pick: (record) => {
        const addresses = (record as Partial<Customer>).addresses ?? [];
        return (addresses.find((a) => a.isDefault) ?? addresses[0])?.country;
      },
    },
  ],
});

defineEntity({
  name: 'products',
  type: 'product',
  schema: productSchema,
  naturalKeys: [{ name: 'sku', path: 'variants[].sku' }],
  categories: [
    { name: 'status', path: 'status' },
    { name: 'type', path: 'productType' },
  ],
  aggregates: [{ name: 'stock on hand', path: 'variants[].inventoryQuantity' }],
  children: [{ name: 'variant', path: 'variants' }],
});

defineEntity({
  name: 'orders',
  type: 'order',
  schema: orderSchema,
  references: [
    { path: 'customer', to: 'customer', strength: 'hard' },
    { path: 'lines[].product', to: 'product', strength: 'hard' },
  ],
  naturalKeys: [{ name: 'number', path: 'number' }],
  categories: [
    { name: 'status', path: 'financialStatus' },
    { name: 'cancelled', path: 'cancelled', pick: (record) => (record.cancelled ? 'cancelled' : 'open') },
    { name: 'currency', path: 'currency' },
  ],
  aggregates: [
    { name: 'total', path: 'total' },
    { name: 'tax', path: 'totalTax' },
    { name: 'line quantities', path: 'lines[].quantity' },
  ],
  children: [{ name: 'line', path: 'lines' }],
});
