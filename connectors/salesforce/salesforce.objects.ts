import type { EntityName } from '../../src/canonical/entities';
import { SwitchyardError } from '../../src/common/errors';
import type { EntityDescriptor, NativeRecord } from '../../src/connectors/connector.port';
import { SALESFORCE_FACTS } from './salesforce.facts';

/** Which sObject holds each plan entity. */
export const OBJECT_OF = {
  users: 'User',
  organizations: 'Account',
  contacts: 'Contact',
  deals: 'Opportunity',
  products: 'Product2',
} as const satisfies Partial<Record<EntityName, string>>;
export type SalesforceEntity = keyof typeof OBJECT_OF;

const EXT = SALESFORCE_FACTS.sourceIdField;

/** Fields read per object: what the mappings use. The source-id field is read where the org has it. */
export const READ_FIELDS: Record<string, string[]> = {
  User: ['Id', 'Email', 'FirstName', 'LastName', 'IsActive', 'SystemModstamp'],
  Account: [
    'Id',
    'Name',
    'Website',
    'Phone',
    'Industry',
    'Description',
    'BillingStreet',
    'BillingCity',
    'BillingState',
    'BillingPostalCode',
    'BillingCountry',
    'ShippingStreet',
    'ShippingCity',
    'ShippingState',
    'ShippingPostalCode',
    'ShippingCountry',
    'OwnerId',
    'CreatedDate',
    'SystemModstamp',
    EXT,
  ],
  Contact: [
    'Id',
    'FirstName',
    'LastName',
    'Email',
    'Phone',
    'Title',
    'AccountId',
    'OwnerId',
    'CreatedDate',
    'SystemModstamp',
    EXT,
  ],
  Opportunity: [
    'Id',
    'Name',
    'StageName',
    'CloseDate',
    'Amount',
    'Description',
    'AccountId',
    'OwnerId',
    'CreatedDate',
    'SystemModstamp',
    EXT,
  ],
  Product2: ['Id', 'Name', 'ProductCode', 'Description', 'IsActive', 'CreatedDate', 'SystemModstamp', EXT],
  OpportunityLineItem: [
    'Id',
    'OpportunityId',
    'PricebookEntryId',
    'Product2Id',
    'ProductCode',
    'Product2.Name',
    'Quantity',
    'UnitPrice',
    'Description',
    EXT,
  ],
  OpportunityContactRole: ['Id', 'OpportunityId', 'ContactId', 'Role', 'IsPrimary'],
  PricebookEntry: ['Id', 'Product2Id', 'UnitPrice'],
};

/** Objects the connector writes: each needs the External ID field before a run may write anything. */
export const WRITTEN_OBJECTS = ['Account', 'Contact', 'Opportunity', 'OpportunityLineItem', 'Product2'];

const describe = (naturalKey: string, fieldLimits?: Record<string, number>): EntityDescriptor => ({
  idField: 'Id',
  naturalKey,
  modifiedAtField: 'SystemModstamp',
  batchLimit: SALESFORCE_FACTS.collectionLimit,
  maxPageSize: SALESFORCE_FACTS.maxQueryBatch,
  fieldLimits,
});

const ADDRESS_LIMITS = (prefix: string) => ({
  [`${prefix}Street`]: 255,
  [`${prefix}City`]: 40,
  [`${prefix}State`]: 80,
  [`${prefix}PostalCode`]: 20,
  [`${prefix}Country`]: 80,
});

/** Text lengths from Salesforce's Object Reference (STRING_TOO_LONG above them). */
export const ENTITY_DESCRIPTORS: Record<SalesforceEntity, EntityDescriptor> = {
  users: describe('Email'),
  organizations: describe(EXT, {
    Name: 255,
    Website: 255,
    Phone: 40,
    Description: 32_000,
    ...ADDRESS_LIMITS('Billing'),
    ...ADDRESS_LIMITS('Shipping'),
  }),
  contacts: describe(EXT, { FirstName: 40, LastName: 80, Email: 80, Phone: 40, Title: 128 }),
  deals: describe(EXT, { Name: 120, 'lineItems[].Description': 255 }),
  products: describe(EXT, { Name: 255, ProductCode: 255, Description: 4_000 }),
};

export function salesforceEntity(entity: EntityName): SalesforceEntity {
  if (!(entity in OBJECT_OF)) throw new SwitchyardError('PLAN_INVALID', `salesforce cannot handle ${entity}`);
  return entity as SalesforceEntity;
}

/** A REST record without its `attributes`, parents (`Product2: {Name}`) kept as plain objects. */
export function plainRecord(record: NativeRecord): NativeRecord {
  const out: NativeRecord = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? plainRecord(value as NativeRecord)
        : value;
  }
  return out;
}

/** SOQL string literal. */
export const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
