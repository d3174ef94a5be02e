import { DEFAULT_OPPORTUNITY_STAGES, SALESFORCE_FACTS } from '../salesforce.facts';
import { FIELD_LENGTHS, TYPE_LENGTHS } from './salesforce.contract';

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
  /** Most characters a text value may hold (FIELD_LENGTHS, else TYPE_LENGTHS): longer is STRING_TOO_LONG. */
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
const field = (name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  label,
  type,
  createable: true,
  updateable: true,
  ...extra,
});
const lookup = (name: string, label: string, to: string, extra: Partial<FieldDef> = {}): FieldDef =>
  field(name, label, 'reference', { referenceTo: to, relationshipName: name.replace(/Id$/, ''), ...extra });
const readOnly = { createable: false, updateable: false };
const owner = () => lookup('OwnerId', 'Owner ID', 'User');
/** The External ID the connector upserts on: an admin adds it (text, unique, External ID) to each object. */
export const sourceIdField = (): FieldDef =>
  field(SALESFORCE_FACTS.sourceIdField, 'Switchyard Source Id', 'string', { externalId: true, unique: true });
const address = (prefix: 'Billing' | 'Shipping'): FieldDef[] => [
  field(`${prefix}Street`, `${prefix} Street`, 'textarea'),
  field(`${prefix}City`, `${prefix} City`, 'string'),
  field(`${prefix}State`, `${prefix} State/Province`, 'string'),
  field(`${prefix}PostalCode`, `${prefix} Zip/Postal Code`, 'string'),
  field(`${prefix}Country`, `${prefix} Country`, 'string'),
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
      field('Username', 'Username', 'string', { required: true }),
      field('Email', 'Email', 'email', { required: true }),
      field('FirstName', 'First Name', 'string'),
      field('LastName', 'Last Name', 'string', { required: true }),
      field('Name', 'Full Name', 'string', readOnly),
      field('IsActive', 'Active', 'boolean'),
    ],
  },
  {
    name: 'Account',
    label: 'Account',
    fields: [
      ...system(),
      field('Name', 'Account Name', 'string', { required: true }),
      field('Website', 'Website', 'url'),
      field('Phone', 'Account Phone', 'phone'),
      field('Industry', 'Industry', 'picklist', { picklist: INDUSTRIES }),
      field('Description', 'Account Description', 'textarea'),
      field('AccountNumber', 'Account Number', 'string'),
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
      field('FirstName', 'First Name', 'string'),
      field('LastName', 'Last Name', 'string', { required: true }),
      field('Name', 'Full Name', 'string', readOnly),
      field('Email', 'Email', 'email'),
      field('Phone', 'Business Phone', 'phone'),
      field('Title', 'Title', 'string'),
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
      field('Name', 'Name', 'string', { required: true }),
      field('StageName', 'Stage', 'picklist', {
        required: true,
        picklist: DEFAULT_OPPORTUNITY_STAGES,
        restrictedPicklist: true,
      }),
      field('CloseDate', 'Close Date', 'date', { required: true }),
      field('Amount', 'Amount', 'currency'),
      field('Description', 'Description', 'textarea'),
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
      field('Name', 'Product Name', 'string', { required: true }),
      field('ProductCode', 'Product Code', 'string'),
      field('Description', 'Product Description', 'textarea'),
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
      field('Description', 'Line Description', 'string'),
      sourceIdField(),
    ],
  },
];

export const OBJECTS: Record<string, ObjectDef> = Object.fromEntries(
  definitions.map((definition) => [
    definition.name,
    {
      ...definition,
      keyPrefix: SALESFORCE_FACTS.keyPrefixes[definition.name],
      fields: definition.fields.map((f) => withLength(definition.name, f)),
    },
  ]),
);

/** A text field with the length the contract gives it: its own, else its type's. */
function withLength(object: string, field: FieldDef): FieldDef {
  const length = FIELD_LENGTHS.value[object]?.[field.name] ?? TYPE_LENGTHS.value[field.type];
  return length === undefined ? field : { ...field, length };
}

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
