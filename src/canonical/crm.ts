import { z } from 'zod/v4';
import { addressSchema, extra, isoDate, isoTimestamp, referenceSchema, text } from './common';
import { nonNegativeMoneySchema as price } from './money';
import { defineEntity } from './registry';

/**
 * Canonical CRM records (v1): the graph a CRM holds. Organisations employ contacts, deals sit between
 * them, deal lines point at products (the ecommerce `product`), and users own all of these. References
 * name source ids, as everywhere; an owner reference is soft: a user with no match in the destination
 * leaves the record without an owner (listed in the run's report) rather than quarantining it.
 */
const ref = (entity: 'organization' | 'contact' | 'user' | 'product') =>
  referenceSchema.extend({ entity: z.literal(entity) });

export const userSchema = z.object({
  id: z.string().min(1),
  email: z.string().email({ message: 'is not a valid email address' }),
  firstName: text,
  lastName: text,
  active: z.boolean().default(true),
  extra,
});
export type User = z.infer<typeof userSchema>;

export const organizationSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1, { message: 'is empty' }),
  domain: text,
  vatNumber: text,
  registrationNumber: text,
  phone: text,
  industry: text,
  addresses: z.array(addressSchema).default([]),
  /** Its roles in the books (an ERP's debtor and creditor); a CRM company has none. */
  roles: z.array(z.enum(['customer', 'supplier'])).default([]),
  debtorNumber: text,
  creditorNumber: text,
  /** Days an invoice to or from it is due after its date. */
  paymentTermDays: z.number().int().min(0, { message: 'is negative' }).nullish(),
  owner: ref('user').nullish(),
  createdAt: isoTimestamp.nullish(),
  updatedAt: isoTimestamp.nullish(),
  extra,
});
export type Organization = z.infer<typeof organizationSchema>;

export const contactSchema = z.object({
  id: z.string().min(1),
  email: z.string().email({ message: 'is not a valid email address' }).nullish(),
  firstName: text,
  lastName: z.string().min(1, { message: 'is empty; a contact needs a last name' }),
  phone: text,
  jobTitle: text,
  organization: ref('organization').nullish(),
  owner: ref('user').nullish(),
  createdAt: isoTimestamp.nullish(),
  updatedAt: isoTimestamp.nullish(),
  extra,
});
export type Contact = z.infer<typeof contactSchema>;

export const dealLineSchema = z.object({
  /** The source platform's id of the line itself: lines are matched on it when a deal is loaded again. */
  id: z.string().min(1),
  name: z.string().min(1, { message: 'is empty' }),
  sku: text,
  quantity: z.number().finite({ message: 'is not a finite number' }).min(0, { message: 'is negative' }),
  unitPrice: price,
  product: ref('product').nullish(),
});
export type DealLine = z.infer<typeof dealLineSchema>;

export const dealSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1, { message: 'is empty' }),
  amount: price.nullish(),
  /** Canonical stage: the source's stage through the plan's value map. */
  stage: z.string().min(1),
  pipeline: text,
  closeDate: isoDate.nullish(),
  organization: ref('organization').nullish(),
  contacts: z.array(ref('contact')).default([]),
  owner: ref('user').nullish(),
  lines: z.array(dealLineSchema).default([]),
  createdAt: isoTimestamp.nullish(),
  updatedAt: isoTimestamp.nullish(),
  extra,
});
export type Deal = z.infer<typeof dealSchema>;

// Users are matched by email and never created; they own the rest.
defineEntity({
  name: 'users',
  type: 'user',
  schema: userSchema,
  naturalKeys: [{ name: 'email', path: 'email', caseless: true }],
});

defineEntity({
  name: 'organizations',
  type: 'organization',
  schema: organizationSchema,
  references: [{ path: 'owner', to: 'user', strength: 'soft' }],
  categories: [{ name: 'industry', path: 'industry' }],
});

defineEntity({
  name: 'contacts',
  type: 'contact',
  schema: contactSchema,
  references: [
    { path: 'organization', to: 'organization', strength: 'hard' },
    { path: 'owner', to: 'user', strength: 'soft' },
  ],
  naturalKeys: [{ name: 'email', path: 'email', caseless: true }],
});

defineEntity({
  name: 'deals',
  type: 'deal',
  schema: dealSchema,
  references: [
    { path: 'organization', to: 'organization', strength: 'hard' },
    { path: 'contacts[]', to: 'contact', strength: 'hard', unordered: true },
    { path: 'owner', to: 'user', strength: 'soft' },
    { path: 'lines[].product', to: 'product', strength: 'hard' },
  ],
  categories: [
    { name: 'stage', path: 'stage' },
    { name: 'pipeline', path: 'pipeline' },
  ],
  aggregates: [
    { name: 'amount', path: 'amount' },
    { name: 'line quantities', path: 'lines[].quantity' },
  ],
  children: [{ name: 'line', path: 'lines' }],
});
