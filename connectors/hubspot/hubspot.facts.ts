/** HubSpot CRM v3/v4 facts the connector and sandbox share (shared/reference/crm-erp-apis.md §2). */
export const HUBSPOT_FACTS = {
  sandboxAccessToken: 'hs_sandbox',
  /** List endpoints: `limit` defaults to 10 and tops out at 100. */
  defaultPageSize: 10,
  maxPageSize: 100,
  /** Every batch endpoint (read, create, update, upsert, archive, associations) takes at most 100 inputs. */
  batchLimit: 100,
  /** Search: ≤200 per page, no paging past 10,000 results, 5 requests a second per account. */
  searchMaxPageSize: 200,
  searchMaxResults: 10_000,
  searchPerSecond: 5,
  /** Private apps on Free/Starter: 100 requests per rolling 10 s, 250,000 a day. */
  tenSecondlyLimit: 100,
  tenSecondWindowMs: 10_000,
  dailyLimit: 250_000,
  /** HUBSPOT_DEFINED association type ids, from → to. */
  associationTypes: {
    'contacts→companies': 279,
    'companies→contacts': 280,
    'deals→contacts': 3,
    'contacts→deals': 4,
    'deals→companies': 341,
    'companies→deals': 342,
    'deals→line_items': 19,
    'line_items→deals': 20,
  } as Record<string, number>,
  /** The property holding each object's last-modified time (contacts name theirs differently). */
  modifiedProperty: {
    contacts: 'lastmodifieddate',
    companies: 'hs_lastmodifieddate',
    deals: 'hs_lastmodifieddate',
    line_items: 'hs_lastmodifieddate',
    products: 'hs_lastmodifieddate',
  } as Record<HubSpotObjectType, string>,
  /** The property that carries a migrated record's source id (created by the connector when missing). */
  sourceIdProperty: 'switchyard_source_id',
  /**
   * The objects that may have unique-value properties, so their source id is one and writes upsert on it
   * (`idProperty`). HubSpot documents unique properties for companies, deals, tickets, custom objects and
   * contacts, not for products or line items: those hold the source id in a plain property. Source: HubSpot
   * developer changelog, "Unique Properties support for newly created Contact properties" (2023-09).
   */
  uniqueSourceId: ['contacts', 'companies', 'deals'] as readonly string[],
} as const;

export const HUBSPOT_OBJECT_TYPES = ['contacts', 'companies', 'deals', 'line_items', 'products'] as const;
export type HubSpotObjectType = (typeof HUBSPOT_OBJECT_TYPES)[number];
