/**
 * Exact Online's REST resources as its documentation describes them (start.exactonline.nl/docs/
 * HlpRestAPIResources.aspx; paths as in the official sync demo and picqer's client): where each lives, its
 * key, its sync and bulk twins, the fields its mandatory filter accepts, what a create requires. The
 * sandbox's own facts: the connector does not read them.
 */
export interface Resource {
  name: string;
  /** OData type name, in `__metadata.type`. */
  type: string;
  key: string;
  standard: string;
  bulk?: string;
  sync?: string;
  /** `EntityType` in sync/Deleted. */
  entityType?: number;
  /** Fields a GET on the standard or bulk endpoint may filter on (endpoints with a sync twin must). */
  mandatoryFilter?: string[];
  required: string[];
  /** Fields a client may write; anything else in a body is refused as OData refuses unknown properties. */
  writable: string[];
  /** Codes right-aligned in 18 characters, as Exact stores account codes. */
  paddedCode?: boolean;
  /** Unique among the division's rows. */
  unique?: string[];
  /** Read-only (bookings come from invoices and entries, never written on their own). */
  readOnly?: boolean;
}

const ACCOUNT_FIELDS = [
  'Code',
  'Name',
  'Email',
  'Phone',
  'Website',
  'AddressLine1',
  'AddressLine2',
  'City',
  'Postcode',
  'State',
  'Country',
  'Status',
  'IsSupplier',
  'IsSales',
  'IsPurchase',
  'Blocked',
  'VATNumber',
  'ChamberOfCommerce',
  'PaymentConditionSales',
  'PaymentConditionPurchase',
  'SalesCurrency',
  'PurchaseCurrency',
  'SearchCode',
  'Remarks',
  'Language',
  'SalesVATCode',
  'PurchaseVATCode',
  'CreditLineSales',
];

export const RESOURCES: Resource[] = [
  {
    name: 'Accounts',
    type: 'Exact.Web.Api.Models.Account',
    key: 'ID',
    standard: 'crm/Accounts',
    bulk: 'bulk/CRM/Accounts',
    sync: 'sync/CRM/Accounts',
    entityType: 2,
    mandatoryFilter: [
      'ID',
      'Code',
      'Name',
      'Email',
      'SearchCode',
      'Status',
      'IsSupplier',
      'IsSales',
      'Modified',
      'Created',
      'VATNumber',
    ],
    required: ['Name'],
    writable: ACCOUNT_FIELDS,
    paddedCode: true,
    unique: ['Code'],
  },
  {
    name: 'Items',
    type: 'Exact.Web.Api.Models.Logistics.Item',
    key: 'ID',
    standard: 'logistics/Items',
    bulk: 'bulk/Logistics/Items',
    sync: 'sync/Logistics/Items',
    entityType: 9,
    mandatoryFilter: ['ID', 'Code', 'Description', 'Barcode', 'Created', 'Modified', 'ExtraDescription'],
    required: ['Code', 'Description'],
    writable: [
      'Code',
      'Description',
      'ExtraDescription',
      'Notes',
      'Barcode',
      'IsSalesItem',
      'IsPurchaseItem',
      'IsStockItem',
      'SalesVatCode',
      'Unit',
      'CostPriceStandard',
      'StandardSalesPrice',
      'ItemGroup',
      'EndDate',
      'GLRevenue',
    ],
    unique: ['Code'],
  },
  {
    name: 'GLAccounts',
    type: 'Exact.Web.Api.Models.Financial.GLAccount',
    key: 'ID',
    standard: 'financial/GLAccounts',
    bulk: 'bulk/Financial/GLAccounts',
    sync: 'sync/Financial/GLAccounts',
    entityType: 7,
    mandatoryFilter: ['ID', 'Code', 'Description', 'Type', 'BalanceType', 'Modified'],
    required: ['Code', 'Description'],
    writable: ['Code', 'Description', 'BalanceSide', 'BalanceType', 'Type', 'VATCode', 'Blocked'],
    unique: ['Code'],
  },
  {
    name: 'VATCodes',
    type: 'Exact.Web.Api.Models.VATCode',
    key: 'ID',
    standard: 'vat/VATCodes',
    required: ['Code', 'Description'],
    writable: [
      'Code',
      'Description',
      'Percentage',
      'Type',
      'VATTransactionType',
      'Country',
      'Charged',
      'IsBlocked',
      'GLToPay',
      'GLToClaim',
    ],
    unique: ['Code'],
  },
  {
    name: 'SalesInvoices',
    type: 'Exact.Web.Api.Models.SalesInvoice.SalesInvoice',
    key: 'InvoiceID',
    standard: 'salesinvoice/SalesInvoices',
    bulk: 'bulk/SalesInvoice/SalesInvoices',
    sync: 'sync/SalesInvoice/SalesInvoices',
    entityType: 13,
    mandatoryFilter: [
      'InvoiceID',
      'InvoiceNumber',
      'InvoiceTo',
      'OrderedBy',
      'YourRef',
      'InvoiceDate',
      'Modified',
      'Status',
    ],
    required: ['OrderedBy'],
    writable: [
      'OrderedBy',
      'InvoiceTo',
      'DeliverTo',
      'Currency',
      'Journal',
      'InvoiceDate',
      'DueDate',
      'YourRef',
      'Description',
      'PaymentCondition',
      'Remarks',
      'SalesInvoiceLines',
      'Type',
    ],
  },
  {
    // Every booking's lines: what a processed invoice, a bank entry or a memorial entry posted to the ledger.
    name: 'TransactionLines',
    type: 'Exact.Web.Api.Models.Financial.TransactionLine',
    key: 'ID',
    standard: 'financialtransaction/TransactionLines',
    bulk: 'bulk/Financial/TransactionLines',
    sync: 'sync/Financial/TransactionLines',
    entityType: 1,
    mandatoryFilter: ['ID', 'EntryID', 'Date', 'FinancialYear', 'FinancialPeriod', 'Modified'],
    required: [],
    writable: [],
    readOnly: true,
  },
];

/** What a sales invoice line may carry. */
export const LINE_FIELDS = [
  'Item',
  'Description',
  'Quantity',
  'NetPrice',
  'UnitPrice',
  'VATCode',
  'Discount',
  'GLAccount',
  'UnitCode',
];

export const PAGE = { standard: 60, bulk: 1000, sync: 1000 } as const;
