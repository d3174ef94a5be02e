import type { EntityName } from '../../src/canonical/entities';
import { SwitchyardError } from '../../src/common/errors';
import { scalarText } from '../../src/common/text';
import type { EntityDescriptor, NativeRecord } from '../../src/connectors/connector.port';
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
} as const satisfies Partial<Record<EntityName, HubSpotObjectType>>;

export type ObjectEntity = keyof typeof OBJECT_OF;
export type HubSpotEntity = ObjectEntity | 'users';

/** The properties read for each object: what the mappings use, plus the source id the connector writes. */
export const READ_PROPERTIES: Record<HubSpotObjectType, string[]> = {
  companies: [
    'name',
    'domain',
    'phone',
    'industry',
    'address',
    'address2',
    'city',
    'zip',
    'state',
    'country',
    'description',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'jobtitle',
    'company',
    'address',
    'city',
    'zip',
    'state',
    'country',
    'hubspot_owner_id',
    'createdate',
    'lastmodifieddate',
  ],
  deals: [
    'dealname',
    'amount',
    'deal_currency_code',
    'dealstage',
    'pipeline',
    'closedate',
    'description',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
  line_items: ['name', 'quantity', 'price', 'amount', 'hs_product_id', 'hs_sku', 'createdate'],
  products: ['name', 'price', 'hs_sku', 'description', 'createdate', 'hs_lastmodifieddate'],
};
for (const list of Object.values(READ_PROPERTIES)) list.push(HUBSPOT_FACTS.sourceIdProperty);

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
  contacts: describe('properties.email', 'properties.lastmodifieddate'),
  customers: describe('properties.email', 'properties.lastmodifieddate'),
  deals: bySourceId('deals'),
  orders: bySourceId('deals'),
  products: bySourceId('products'),
};

export function hubSpotEntity(entity: EntityName): HubSpotEntity {
  if (!(entity in ENTITY_DESCRIPTORS))
    throw new SwitchyardError('PLAN_INVALID', `hubspot cannot handle ${entity}`);
  return entity;
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
const NOT_PROPERTIES = new Set(['associations', 'lineItems', 'variantSkus']);

/** Property values go to HubSpot as strings; an absent value clears the property. */
export function propertyValues(payload: NativeRecord): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (NOT_PROPERTIES.has(name) || value === undefined) continue;
    values[name] = scalarText(value);
  }
  return values;
}
