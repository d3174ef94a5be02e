import {
  type EntityDescriptor,
  type EntityName,
  type NativeRecord,
  scalarText,
  SwitchyardError,
} from '../../src/connectors';
import { HUBSPOT_FACTS, type HubSpotObjectType } from './hubspot.facts';

/**
 * Which HubSpot object holds each plan entity. Ecommerce entities land in the CRM too: a shop's customers
 * become contacts and its orders become deals, through the same canonical model.
 */
export const OBJECT_OF = {
  organizations: 'companies',
  contacts: 'contacts',
  customers: 'contacts',
  deals: 'deals',
  orders: 'deals',
  products: 'products',
} as const satisfies Record<EntityName, HubSpotObjectType>;

export type ObjectEntity = keyof typeof OBJECT_OF;
export type HubSpotEntity = ObjectEntity | 'users';

/**
 * The properties read of each object: the ones the mappings in use read (`properties.<name>`, and for a
 * deal's line items `lineItems.properties.<name>`), plus what the connector needs itself: the source
 * identity it writes and the modified time a delta run pages on. HubSpot ignores a property a portal lacks.
 */
export function propertiesToRead(
  reads: Record<string, string[]> | undefined,
  type: HubSpotObjectType,
): string[] {
  const wanted = new Set([HUBSPOT_FACTS.sourceIdProperty, HUBSPOT_FACTS.modifiedProperty[type]]);
  const add = (paths: string[], prefix: string) => {
    for (const path of paths) {
      const name = path.startsWith(prefix) ? path.slice(prefix.length).split('.')[0] : '';
      if (name) wanted.add(name);
    }
  };
  for (const [entity, paths] of Object.entries(reads ?? {})) {
    const object = OBJECT_OF[entity as ObjectEntity] as HubSpotObjectType | undefined;
    if (object === type) add(paths, 'properties.');
    if (object === 'deals' && type === 'line_items') add(paths, 'lineItems.properties.');
  }
  return [...wanted];
}

/** The objects each entity's records are linked to, read and written with them. */
export const LINKED: Record<HubSpotObjectType, HubSpotObjectType[]> = {
  companies: [],
  contacts: ['companies'],
  deals: ['companies', 'contacts', 'line_items'],
  line_items: [],
  products: [],
};

/** The property group a new property joins, per object (HubSpot's default "… information" groups). */
export const PROPERTY_GROUP: Record<HubSpotObjectType, string> = {
  companies: 'companyinformation',
  contacts: 'contactinformation',
  deals: 'dealinformation',
  line_items: 'lineiteminformation',
  products: 'productinformation',
};

const describe = (naturalKey: string, modifiedAtField: string): EntityDescriptor => ({
  idField: 'id',
  naturalKey,
  modifiedAtField,
  batchLimit: HUBSPOT_FACTS.batchLimit,
  maxPageSize: HUBSPOT_FACTS.maxPageSize,
});
const bySourceId = (type: HubSpotObjectType) =>
  describe(
    `properties.${HUBSPOT_FACTS.sourceIdProperty}`,
    `properties.${HUBSPOT_FACTS.modifiedProperty[type]}`,
  );

export const ENTITY_DESCRIPTORS: Record<HubSpotEntity, EntityDescriptor> = {
  users: describe('email', 'updatedAt'),
  organizations: bySourceId('companies'),
  // A contact's email is unique in a portal (409 CONFLICT on a second one).
  contacts: { ...describe('properties.email', 'properties.lastmodifieddate'), uniqueKeys: ['email'] },
  customers: { ...describe('properties.email', 'properties.lastmodifieddate'), uniqueKeys: ['email'] },
  // A deal brings about 2.5 line items and as many associations, sent 100 to a call: a load's last call of each
  // is half empty on average, 7% of them at 300 deals a load (measured: 93 lines a call), 2% at 1,000.
  deals: { ...bySourceId('deals'), loadSize: 10 * HUBSPOT_FACTS.batchLimit },
  orders: { ...bySourceId('deals'), loadSize: 10 * HUBSPOT_FACTS.batchLimit },
  products: bySourceId('products'),
};

export function hubSpotEntity(entity: EntityName): HubSpotEntity {
  if (!(entity in ENTITY_DESCRIPTORS))
    throw new SwitchyardError('PLAN_INVALID', `hubspot cannot handle ${entity}`);
  return entity as HubSpotEntity;
}

/** An SDK object as plain JSON: ISO timestamps, and linked ids by object type (each id once). */
export function nativeRecord(
  object: {
    id: string;
    properties: Record<string, string | null>;
    createdAt: Date | string;
    updatedAt: Date | string;
    archived?: boolean;
  },
  associations: Partial<Record<HubSpotObjectType, string[]>> = {},
): NativeRecord {
  const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);
  return {
    id: String(object.id),
    properties: { ...object.properties },
    createdAt: iso(object.createdAt),
    updatedAt: iso(object.updatedAt),
    archived: object.archived ?? false,
    associations: Object.fromEntries(
      Object.entries(associations).map(([type, ids]) => [type, [...new Set(ids)]]),
    ),
  };
}

/** Payload keys the outbound mappings use to instruct the connector, not properties to write. */
export const NOT_PROPERTIES = new Set(['variantSkus']);

/** Property values go to HubSpot as strings; an absent value clears the property. */
export function propertyValues(payload: NativeRecord): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (NOT_PROPERTIES.has(name) || value === undefined) continue;
    values[name] = scalarText(value);
  }
  return values;
}
