import {
  type EntityDescriptor,
  type EntityName,
  type NativeRecord,
  SwitchyardError,
} from '../../src/connectors';
import { SALESFORCE_FACTS } from './salesforce.facts';

/** Which sObject holds each plan entity. */
export const OBJECT_OF = {
  users: 'User',
  organizations: 'Account',
  contacts: 'Contact',
  deals: 'Opportunity',
  products: 'Product2',
} as const satisfies Record<EntityName, string>;
export type SalesforceEntity = keyof typeof OBJECT_OF;

const EXT = SALESFORCE_FACTS.sourceIdField;

/**
 * Fields the connector reads of each object for itself: ids, the modified stamp its cursors page on, the
 * source identity it writes (where the org has it), and what it matches on or joins by. Everything else
 * read comes from the mappings in use (see SalesforceQueries.readFields).
 */
export const OWN_FIELDS: Record<string, string[]> = {
  User: ['Id', 'Email', 'IsActive', 'SystemModstamp'],
  Account: ['Id', 'SystemModstamp', EXT],
  Contact: ['Id', 'SystemModstamp', EXT],
  Opportunity: ['Id', 'SystemModstamp', EXT],
  Product2: ['Id', 'SystemModstamp', EXT],
  OpportunityLineItem: ['Id', 'OpportunityId', 'PricebookEntryId', 'Product2Id', EXT],
  OpportunityContactRole: ['Id', 'OpportunityId', 'ContactId'],
  PricebookEntry: ['Id', 'Product2Id', 'UnitPrice'],
};

/** Where a mapping's paths lead, per object: an entity's own paths, and an opportunity's parts by their key. */
export function readsByObject(reads: Record<string, string[]> | undefined): Record<string, string[]> {
  const byObject: Record<string, string[]> = {};
  const add = (object: string, paths: string[]) =>
    (byObject[object] = [...(byObject[object] ?? []), ...paths]);
  for (const [entity, paths] of Object.entries(reads ?? {})) {
    const object = OBJECT_OF[entity as SalesforceEntity] as string | undefined;
    if (!object) continue;
    add(object, paths);
    if (object === 'Opportunity') {
      const under = (key: string) =>
        paths.filter((path) => path.startsWith(`${key}.`)).map((path) => path.slice(key.length + 1));
      add('OpportunityLineItem', under('LineItems'));
      add('OpportunityContactRole', under('ContactRoles'));
    }
  }
  return byObject;
}

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
