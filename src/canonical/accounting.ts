import Decimal from 'decimal.js';
import { z } from 'zod/v4';
import { country, extra, isoDate, isoTimestamp, referenceSchema, text } from './common';
import { currencyCode, decimalString, moneySchema, nonNegativeMoneySchema as price } from './money';
import { defineEntity } from './registry';

/**
 * Canonical accounting records (v1): what an ERP switch moves. The chart of accounts and VAT codes first,
 * then the relations (the CRM `organization`, in its customer and supplier roles) and items, then what
 * they owe: sales invoices, open items, and each account's opening balance at the cut-off date. Money is a
 * decimal string with a currency; VAT is never recomputed: an invoice whose lines do not add up to its
 * totals is refused with the numbers, and is quarantined.
 */
const ref = (entity: 'organization' | 'ledgerAccount' | 'vatCode' | 'item') =>
  referenceSchema.extend({ entity: z.literal(entity) });

/** Money that may be negative: a credit note's amounts, a balance on the credit side. */
const signedMoney = moneySchema;

export const ledgerAccountSchema = z.object({
  id: z.string().min(1),
  /** The account number in the chart (`8000`): ERPs pad it with spaces, so it is kept trimmed. */
  code: z.string().trim().min(1, { message: 'is empty; a ledger account needs its number' }),
  name: z.string().min(1, { message: 'is empty' }),
  type: z.enum(['balanceSheet', 'profitAndLoss']),
  /** The VAT code a booking on this account takes unless it says otherwise. */
  vatDefault: ref('vatCode').nullish(),
  extra,
});
export type LedgerAccount = z.infer<typeof ledgerAccountSchema>;

export const vatCodeSchema = z.object({
  id: z.string().min(1),
  code: z.string().trim().min(1, { message: 'is empty; a VAT code needs its code' }),
  description: text,
  /** The rate as a fraction: "0.21" for 21%. */
  rate: decimalString.refine((rate) => new Decimal(rate).gte(0) && new Decimal(rate).lt(1), {
    message: 'is not a rate between 0 and 1 (21% is "0.21")',
  }),
  country: country.nullish(),
  /** Which bookings it is for: sales, purchases, or both. */
  kind: z.enum(['sales', 'purchase', 'both']),
  extra,
});
export type VatCode = z.infer<typeof vatCodeSchema>;

export const itemSchema = z.object({
  id: z.string().min(1),
  code: z.string().trim().min(1, { message: 'is empty; an item needs its code' }),
  name: z.string().min(1, { message: 'is empty' }),
  unitPrice: price.nullish(),
  vatCode: ref('vatCode').nullish(),
  salesAccount: ref('ledgerAccount').nullish(),
  /** Kept in stock (and valued), or a service. */
  stock: z.boolean().default(false),
  extra,
});
export type Item = z.infer<typeof itemSchema>;

export const invoiceLineSchema = z.object({
  description: z.string().min(1, { message: 'is empty' }),
  item: ref('item').nullish(),
  quantity: decimalString,
  unitPrice: signedMoney,
  vatCode: ref('vatCode').nullish(),
  /** The line's amount without VAT, and its VAT, as the source booked them. */
  netAmount: signedMoney,
  vatAmount: signedMoney,
  ledgerAccount: ref('ledgerAccount').nullish(),
});
export type InvoiceLine = z.infer<typeof invoiceLineSchema>;

export const salesInvoiceSchema = z
  .object({
    id: z.string().min(1),
    number: z.string().trim().min(1),
    date: isoDate,
    dueDate: isoDate.nullish(),
    customer: ref('organization'),
    currency: currencyCode,
    lines: z.array(invoiceLineSchema).min(1, { message: 'is empty; an invoice needs at least one line' }),
    totalNet: signedMoney,
    totalVat: signedMoney,
    total: signedMoney,
    description: text,
    updatedAt: isoTimestamp.nullish(),
    extra,
  })
  .superRefine((invoice, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const money: [(string | number)[], { currency: string }][] = [
      [['totalNet'], invoice.totalNet],
      [['totalVat'], invoice.totalVat],
      [['total'], invoice.total],
      ...invoice.lines.flatMap((line, index): [(string | number)[], { currency: string }][] => [
        [['lines', index, 'netAmount'], line.netAmount],
        [['lines', index, 'vatAmount'], line.vatAmount],
      ]),
    ];
    for (const [path, amount] of money)
      if (amount.currency !== invoice.currency)
        issue([...path, 'currency'], `is not the invoice's currency, ${invoice.currency}`);
    // Never recomputed: the source's own figures must agree, or the invoice waits for someone to look.
    const sum = (field: 'netAmount' | 'vatAmount') =>
      invoice.lines.reduce((total, line) => total.plus(line[field].amount), new Decimal(0));
    const net = sum('netAmount');
    const vat = sum('vatAmount');
    if (!net.eq(invoice.totalNet.amount))
      issue(['totalNet'], `is ${invoice.totalNet.amount} but the lines add up to ${net.toFixed()}`);
    if (!vat.eq(invoice.totalVat.amount))
      issue(['totalVat'], `is ${invoice.totalVat.amount} but the lines' VAT adds up to ${vat.toFixed()}`);
    const gross = new Decimal(invoice.totalNet.amount).plus(invoice.totalVat.amount);
    if (!gross.eq(invoice.total.amount))
      issue(
        ['total'],
        `is ${invoice.total.amount} but net ${invoice.totalNet.amount} plus VAT ${invoice.totalVat.amount} is ${gross.toFixed()}`,
      );
  });
export type SalesInvoice = z.infer<typeof salesInvoiceSchema>;

export const openItemSchema = z.object({
  id: z.string().min(1),
  /** The invoice (or credit) number it is open on. */
  number: z.string().trim().min(1),
  kind: z.enum(['receivable', 'payable']),
  relation: ref('organization'),
  date: isoDate,
  dueDate: isoDate.nullish(),
  /** What is still to be paid; negative for a credit. */
  amountOpen: signedMoney,
  description: text,
  extra,
});
export type OpenItem = z.infer<typeof openItemSchema>;

export const openingBalanceSchema = z
  .object({
    id: z.string().min(1),
    ledgerAccount: ref('ledgerAccount'),
    /** The cut-off date the balance stands at. */
    date: isoDate,
    debit: price,
    credit: price,
    /** On a VAT account, the VAT code this part of its balance was booked with (the VAT per code stays provable). */
    vatCode: ref('vatCode').nullish(),
    extra,
  })
  .superRefine((balance, ctx) => {
    if (balance.debit.currency !== balance.credit.currency)
      ctx.addIssue({
        code: 'custom',
        path: ['credit', 'currency'],
        message: `is ${balance.credit.currency} but the debit is in ${balance.debit.currency}`,
      });
  });
export type OpeningBalance = z.infer<typeof openingBalanceSchema>;

defineEntity({
  name: 'vatCodes',
  type: 'vatCode',
  schema: vatCodeSchema,
  naturalKeys: [{ name: 'code', path: 'code' }],
  categories: [
    { name: 'kind', path: 'kind' },
    { name: 'rate', path: 'rate' },
  ],
});

defineEntity({
  name: 'ledgerAccounts',
  type: 'ledgerAccount',
  schema: ledgerAccountSchema,
  references: [{ path: 'vatDefault', to: 'vatCode', strength: 'hard' }],
  naturalKeys: [{ name: 'code', path: 'code' }],
  categories: [{ name: 'type', path: 'type' }],
});

defineEntity({
  name: 'items',
  type: 'item',
  schema: itemSchema,
  references: [
    { path: 'vatCode', to: 'vatCode', strength: 'hard' },
    { path: 'salesAccount', to: 'ledgerAccount', strength: 'hard' },
  ],
  naturalKeys: [{ name: 'code', path: 'code' }],
  categories: [{ name: 'stock', path: 'stock', pick: (record) => (record.stock ? 'stock' : 'service') }],
});

defineEntity({
  name: 'salesInvoices',
  type: 'salesInvoice',
  schema: salesInvoiceSchema,
  references: [
    { path: 'customer', to: 'organization', strength: 'hard' },
    { path: 'lines[].item', to: 'item', strength: 'hard' },
    { path: 'lines[].vatCode', to: 'vatCode', strength: 'hard' },
    { path: 'lines[].ledgerAccount', to: 'ledgerAccount', strength: 'hard' },
  ],
  naturalKeys: [{ name: 'number', path: 'number' }],
  categories: [{ name: 'currency', path: 'currency' }],
  aggregates: [
    { name: 'net', path: 'totalNet' },
    { name: 'VAT', path: 'totalVat' },
    { name: 'total', path: 'total' },
  ],
  children: [{ name: 'line', path: 'lines' }],
});

defineEntity({
  name: 'openItems',
  type: 'openItem',
  schema: openItemSchema,
  references: [{ path: 'relation', to: 'organization', strength: 'hard' }],
  naturalKeys: [{ name: 'number', path: 'number' }],
  categories: [{ name: 'kind', path: 'kind' }],
  aggregates: [{ name: 'amount open', path: 'amountOpen' }],
  atCutoff: true,
});

defineEntity({
  name: 'openingBalances',
  type: 'openingBalance',
  schema: openingBalanceSchema,
  references: [
    { path: 'ledgerAccount', to: 'ledgerAccount', strength: 'hard' },
    { path: 'vatCode', to: 'vatCode', strength: 'hard' },
  ],
  aggregates: [
    { name: 'debit', path: 'debit' },
    { name: 'credit', path: 'credit' },
  ],
  atCutoff: true,
});
