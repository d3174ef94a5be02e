import type { HubSpotObjectType } from '../hubspot.facts';

/**
 * What a HubSpot portal refuses beyond its API's shapes, as data with its source: the sandbox enforces each
 * fact. The shapes themselves are the official SDK's models (test/conformance/hubspot.conformance.spec.ts).
 */

/**
 * HUBSPOT_DEFINED association types between the objects the sandbox holds, by direction: the unlabelled type
 * first, then the primary one where there is one. Any other id for the pair is refused.
 * Source: https://developers.hubspot.com/docs/guides/api/crm/associations/associations-v4 ("Association type
 * ID values": contact to company 279 / primary 1, company to contact 280 / 2, deal to contact 3, contact to
 * deal 4, deal to company 341 / primary 5, company to deal 342 / 6, deal to line item 19, line item to deal 20).
 */
export const ASSOCIATION_TYPES: Record<string, readonly number[]> = {
  'contacts→companies': [279, 1],
  'companies→contacts': [280, 2],
  'deals→contacts': [3],
  'contacts→deals': [4],
  'deals→companies': [341, 5],
  'companies→deals': [342, 6],
  'deals→line_items': [19],
  'line_items→deals': [20],
};

/**
 * The property group each object's default properties are in; a property is created in a group that exists.
 * Source: https://developers.hubspot.com/docs/api/crm/properties (property groups; the create examples use
 * `contactinformation`, the legacy CRM properties overview `productinformation`).
 */
export const PROPERTY_GROUPS: Record<HubSpotObjectType, string> = {
  contacts: 'contactinformation',
  companies: 'companyinformation',
  deals: 'dealinformation',
  products: 'productinformation',
  line_items: 'lineiteminformation',
};

/**
 * Unique-value properties (`hasUniqueValue`): at most 10 an object, and only on the objects HubSpot documents
 * them for: companies, deals, tickets and custom objects, and contacts since 2023-09-21. Source: HubSpot
 * developer changelog, "Unique Properties support for newly created Contact properties" ("Historically, HubSpot
 * has provided unique property support for Companies, Deals, Tickets, and Custom Objects"; "the contact object
 * type can only have a maximum of 10 unique properties", "similar to the other object types"). Products and line
 * items are in neither that list nor the later extension to carts, leads, orders, invoices and calls, so the
 * sandbox refuses a unique property on them (the wording of that refusal is ours: HubSpot documents none).
 */
export const UNIQUE_PROPERTIES = {
  perObject: 10,
  documentedFor: ['contacts', 'companies', 'deals'] as readonly HubSpotObjectType[],
} as const;
