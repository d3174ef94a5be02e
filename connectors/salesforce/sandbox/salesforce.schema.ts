import { DEFAULT_OPPORTUNITY_STAGES, SALESFORCE_FACTS } from '../salesforce.facts';

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Must be given on insert (nillable false and no default). */
  required?: boolean;
  createable: boolean;
  updateable: boolean;
  referenceTo?: string;
  /** `Account` for AccountId: the name a SOQL query uses to reach the parent's fields. */
  relationshipName?: string;
  externalId?: boolean;
  unique?: boolean;
  picklist?: string[];
  restrictedPicklist?: boolean;
  /** Most characters a text value may hold: longer is STRING_TOO_LONG (text types only). */
  length?: number;
}

export interface ObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  fields: FieldDef[];
}

const system = (): FieldDef[] => [
  { name: 'Id', label: 'Record ID', type: 'id', createable: false, updateable: false },
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', createable: false, updateable: false },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', createable: false, updateable: false },
  {
    name: 'LastModifiedDate',
    label: 'Last Modified Date',
    type: 'datetime',
    createable: false,
    updateable: false,
  },
  {
    name: 'SystemModstamp',
    label: 'System Modstamp',
    type: 'datetime',
    createable: false,
    updateable: false,
  },
];
/**
 * A text field's length where the Object Reference gives none of its own: a Text field's and a picklist's 255, an
 * Email's 80, a Phone's 40, a URL's 255, a Text Area's 255 (a Long Text Area states its own).
 */
const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  string: 255,
  textarea: 255,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
};
const field = (name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  label,
  type,
  createable: true,
  updateable: true,
  ...(DEFAULT_LENGTH[type] !== undefined ? { length: DEFAULT_LENGTH[type] } : {}),
  ...extra,
});
const lookup = (name: string, label: string, to: string, extra: Partial<FieldDef> = {}): FieldDef =>
  field(name, label, 'reference', { referenceTo: to, relationshipName: name.replace(/Id$/, ''), ...extra });
const readOnly = { createable: false, updateable: false };
const owner = () => lookup('OwnerId', 'Owner ID', 'User');
/** The External ID the connector upserts on: an admin adds it (text, unique, External ID) to each object. */
export const sourceIdField = (): FieldDef =>
  field(SALESFORCE_FACTS.sourceIdField, 'Switchyard Source Id', 'string', { externalId: true, unique: true });
// Lengths below are the Salesforce Object Reference's (developer.salesforce.com/docs/atlas.en-us.object_reference),
// each object's Fields table.
const address = (prefix: 'Billing' | 'Shipping'): FieldDef[] => [
  field(`${prefix}Street`, `${prefix} Street`, 'textarea', { length: 255 }),
  field(`${prefix}City`, `${prefix} City`, 'string', { length: 40 }),
  field(`${prefix}State`, `${prefix} State/Province`, 'string', { length: 80 }),
  field(`${prefix}PostalCode`, `${prefix} Zip/Postal Code`, 'string', { length: 20 }),
  field(`${prefix}Country`, `${prefix} Country`, 'string', { length: 80 }),
];

const INDUSTRIES = [
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
  'Other',
];

const definitions: Omit<ObjectDef, 'keyPrefix'>[] = [
  {
    name: 'Organization',
    label: 'Organization',
    fields: [
      ...system(),
      field('Name', 'Name', 'string', readOnly),
      field('DefaultCurrencyIsoCode', 'Locale Currency', 'picklist', readOnly),
    ],
  },
  {
    name: 'User',
    label: 'User',
    fields: [
      ...system(),
      field('Username', 'Username', 'string', { required: true, length: 80 }),
      field('Email', 'Email', 'email', { required: true, length: 128 }),
      field('FirstName', 'First Name', 'string', { length: 40 }),
      field('LastName', 'Last Name', 'string', { required: true, length: 80 }),
      field('Name', 'Full Name', 'string', readOnly),
      field('IsActive', 'Active', 'boolean'),
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    fields: [
      ...system(),
      field('Name', 'Account Name', 'string', { required: true, length: 255 }),
      field('Website', 'Website', 'url', { length: 255 }),
      field('Phone', 'Account Phone', 'phone', { length: 40 }),
      field('Industry', 'Industry', 'picklist', { picklist: INDUSTRIES, length: 40 }),
      field('Description', 'Account Description', 'textarea', { length: 32_000 }),
      field('AccountNumber', 'Account Number', 'string', { length: 40 }),
      ...address('Billing'),
      ...address('Shipping'),
      owner(),
      sourceIdField(),
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    fields: [
      ...system(),
      field('FirstName', 'First Name', 'string', { length: 40 }),
      field('LastName', 'Last Name', 'string', { required: true, length: 80 }),
      field('Name', 'Full Name', 'string', readOnly),
      field('Email', 'Email', 'email', { length: 80 }),
      field('Phone', 'Business Phone', 'phone', { length: 40 }),
      field('Title', 'Title', 'string', { length: 128 }),
      lookup('AccountId', 'Account ID', 'Account'),
      owner(),
      sourceIdField(),
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    fields: [
      ...system(),
      field('Name', 'Name', 'string', { required: true, length: 120 }),
      field('StageName', 'Stage', 'picklist', {
        required: true,
        picklist: DEFAULT_OPPORTUNITY_STAGES,
        restrictedPicklist: true,
      }),
      field('CloseDate', 'Close Date', 'date', { required: true }),
      field('Amount', 'Amount', 'currency'),
      field('Description', 'Description', 'textarea', { length: 32_000 }),
      lookup('AccountId', 'Account ID', 'Account'),
      lookup('Pricebook2Id', 'Price Book ID', 'Pricebook2'),
      owner(),
      sourceIdField(),
    ],
  },
  {
    name: 'OpportunityContactRole',
    label: 'Opportunity Contact Role',
    fields: [
      ...system(),
      lookup('OpportunityId', 'Opportunity ID', 'Opportunity', { required: true, updateable: false }),
      lookup('ContactId', 'Contact ID', 'Contact', { required: true }),
      field('Role', 'Role', 'picklist'),
      field('IsPrimary', 'Primary', 'boolean'),
    ],
  },
  {
    name: 'Product2',
    label: 'Product',
    fields: [
      ...system(),
      field('Name', 'Product Name', 'string', { required: true, length: 255 }),
      field('ProductCode', 'Product Code', 'string', { length: 255 }),
      field('Description', 'Product Description', 'textarea', { length: 4_000 }),
      field('Family', 'Product Family', 'picklist'),
      field('IsActive', 'Active', 'boolean'),
      sourceIdField(),
    ],
  },
  {
    name: 'Pricebook2',
    label: 'Price Book',
    fields: [
      ...system(),
      field('Name', 'Price Book Name', 'string', { required: true }),
      field('IsActive', 'Active', 'boolean'),
      field('IsStandard', 'Is Standard Price Book', 'boolean', readOnly),
    ],
  },
  {
    name: 'PricebookEntry',
    label: 'Price Book Entry',
    fields: [
      ...system(),
      lookup('Pricebook2Id', 'Price Book ID', 'Pricebook2', { required: true, updateable: false }),
      lookup('Product2Id', 'Product ID', 'Product2', { required: true, updateable: false }),
      field('UnitPrice', 'List Price', 'currency', { required: true }),
      field('IsActive', 'Active', 'boolean'),
      field('UseStandardPrice', 'Use Standard Price', 'boolean'),
      field('Name', 'Product Name', 'string', readOnly),
      field('ProductCode', 'Product Code', 'string', readOnly),
    ],
  },
  {
    name: 'OpportunityLineItem',
    label: 'Opportunity Product',
    fields: [
      ...system(),
      lookup('OpportunityId', 'Opportunity ID', 'Opportunity', { required: true, updateable: false }),
      lookup('PricebookEntryId', 'Price Book Entry ID', 'PricebookEntry', {
        required: true,
        updateable: false,
      }),
      lookup('Product2Id', 'Product ID', 'Product2', readOnly),
      field('Name', 'Opportunity Product Name', 'string', readOnly),
      field('ProductCode', 'Product Code', 'string', readOnly),
      field('Quantity', 'Quantity', 'double', { required: true }),
      field('UnitPrice', 'Sales Price', 'currency'),
      field('TotalPrice', 'Total Price', 'currency', readOnly),
      field('Description', 'Line Description', 'string', { length: 255 }),
      sourceIdField(),
    ],
  },
];

export const OBJECTS: Record<string, ObjectDef> = Object.fromEntries(
  definitions.map((definition) => [
    definition.name,
    { ...definition, keyPrefix: SALESFORCE_FACTS.keyPrefixes[definition.name] },
  ]),
);

/** An object's definition by name, case-insensitively as Salesforce resolves them. */
export function objectDef(name: string): ObjectDef | undefined {
  return Object.values(OBJECTS).find((object) => object.name.toLowerCase() === name.toLowerCase());
}

export function fieldDef(object: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return object.fields.find((f) => f.name.toLowerCase() === lower);
}

/** The object a record id belongs to, by its key prefix. */
export function objectOfId(id: string): ObjectDef | undefined {
  return Object.values(OBJECTS).find((object) => id.startsWith(object.keyPrefix));
}
