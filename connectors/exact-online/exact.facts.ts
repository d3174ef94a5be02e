/**
 * Exact Online's documented facts the connector relies on (../shared/reference/crm-erp-apis.md §3): page
 * sizes, limits, token lifetime, and where each canonical entity lives.
 */
export const EXACT_FACTS = {
  /** Rows a sync or bulk page returns; standard endpoints return 60. */
  syncPageSize: 1000,
  standardPageSize: 60,
  minutelyLimit: 60,
  dailyLimit: 5000,
  /** Access tokens live 600 s; renew a little before, never on every 401. */
  tokenRenewBeforeMs: 30_000,
  /** Account codes are at most 18 characters (right-aligned in 18). */
  accountCodeLength: 18,
  /** Ids per `$filter=ID eq guid'…' or …` lookup, well inside the URL limit. */
  idsPerLookup: 20,
  /** The sandbox's default app and first refresh token (README); a real app's come from Exact's app centre. */
  sandboxCredentials: {
    clientId: 'exact-sandbox-client',
    clientSecret: 'exact-sandbox-secret',
    refreshToken: 'exact-sandbox-refresh-1',
  },
} as const;

/** Where a canonical entity lives in Exact, and what identifies a record there. */
export interface ExactResource {
  /** Standard endpoint (writes, lookups by id): `crm/Accounts`. */
  path: string;
  /** Sync endpoint (reads, the identity index); absent where Exact has none (VAT codes). */
  sync?: string;
  /** `EntityType` in sync/Deleted. */
  entityType?: number;
  key: string;
  /** The field a record is matched on before a create: the natural key, or the source reference. */
  identity: string;
  /** Account codes are right-aligned in 18 characters. */
  padded?: boolean;
  /** What reads `$select` (Exact answers nothing without it on bulk and sync). */
  fields: string[];
  /** Fields Exact computes: a payload may state what it expects them to be; they are checked, never sent. */
  computed?: string[];
  /** Fields an update must not send (Exact refuses changing them). */
  fixed?: string[];
  /** The field holding an invoice's lines, written inline with it. */
  lines?: string;
}

const ACCOUNTS: ExactResource = {
  path: 'crm/Accounts',
  sync: 'sync/CRM/Accounts',
  entityType: 2,
  key: 'ID',
  identity: 'Code',
  padded: true,
  fields: [
    'ID',
    'Code',
    'Name',
    'Email',
    'Phone',
    'AddressLine1',
    'AddressLine2',
    'City',
    'Postcode',
    'Country',
    'Status',
    'IsSupplier',
    'IsSales',
    'VATNumber',
    'ChamberOfCommerce',
    'PaymentConditionSales',
    'Modified',
    'Timestamp',
  ],
};
const ITEMS: ExactResource = {
  path: 'logistics/Items',
  sync: 'sync/Logistics/Items',
  entityType: 9,
  key: 'ID',
  identity: 'Code',
  fields: [
    'ID',
    'Code',
    'Description',
    'ExtraDescription',
    'IsSalesItem',
    'SalesVatCode',
    'Unit',
    'StandardSalesPrice',
    'Modified',
    'Timestamp',
  ],
};
const INVOICES: ExactResource = {
  path: 'salesinvoice/SalesInvoices',
  sync: 'sync/SalesInvoice/SalesInvoices',
  entityType: 13,
  key: 'InvoiceID',
  identity: 'YourRef',
  fields: [
    'InvoiceID',
    'InvoiceNumber',
    'InvoiceDate',
    'DueDate',
    'OrderedBy',
    'InvoiceTo',
    'Currency',
    'YourRef',
    'Description',
    'AmountFC',
    'VATAmountFC',
    'Status',
    'Journal',
    'Modified',
    'Timestamp',
  ],
  computed: ['AmountFC', 'VATAmountFC'],
  fixed: ['OrderedBy', 'SalesInvoiceLines'],
  lines: 'SalesInvoiceLines',
};

export const EXACT_RESOURCES: Record<string, ExactResource> = {
  customers: ACCOUNTS,
  organizations: ACCOUNTS,
  products: ITEMS,
  items: ITEMS,
  orders: INVOICES,
  salesInvoices: INVOICES,
  ledgerAccounts: {
    path: 'financial/GLAccounts',
    sync: 'sync/Financial/GLAccounts',
    entityType: 7,
    key: 'ID',
    identity: 'Code',
    fields: [
      'ID',
      'Code',
      'Description',
      'BalanceSide',
      'BalanceType',
      'Type',
      'VATCode',
      'Modified',
      'Timestamp',
    ],
  },
  vatCodes: {
    path: 'vat/VATCodes',
    key: 'ID',
    identity: 'Code',
    fields: ['ID', 'Code', 'Description', 'Percentage', 'Type', 'VATTransactionType', 'Country', 'Modified'],
  },
};

/** Every booking's lines, read for the books (opening balance, open items, VAT); never written. */
export const TRANSACTION_LINES: ExactResource = {
  path: 'financialtransaction/TransactionLines',
  sync: 'sync/Financial/TransactionLines',
  entityType: 1,
  key: 'ID',
  identity: 'ID',
  fields: [
    'ID',
    'Date',
    'GLAccount',
    'GLAccountCode',
    'AmountDC',
    'VATCode',
    'Account',
    'AccountCode',
    'InvoiceNumber',
    'DueDate',
    'Description',
    'Timestamp',
  ],
};

/** GLAccounts' `Type`: the receivable and payable (control) accounts and the VAT accounts. */
export const GL_TYPES = { receivable: 20, payable: 22, vat: 24 } as const;
