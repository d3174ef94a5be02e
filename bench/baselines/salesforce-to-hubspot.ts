import type { Connection } from 'jsforce';
import { HUBSPOT_FACTS, type HubSpotObjectType } from '../../connectors/hubspot/hubspot.facts';
import { SalesforceClient } from '../../connectors/salesforce/salesforce.client';
import { SALESFORCE_FACTS } from '../../connectors/salesforce/salesforce.facts';
import { type Baseline, regroup } from './baseline';
import { HubSpotWrites } from './hubspot-writes';

type Row = Record<string, any>;
const TYPE = HUBSPOT_FACTS.associationTypes;

/** A SOQL query's records, batch after batch through nextRecordsUrl, with jsforce. */
async function* soql(conn: Connection, query: string): AsyncGenerator<Row[]> {
  let result = await conn.query<Row>(query);
  yield result.records;
  while (!result.done && result.nextRecordsUrl) {
    result = await conn.queryMore<Row>(result.nextRecordsUrl);
    yield result.records;
  }
}

/**
 * Accounts, contacts, products and opportunities with their lines into HubSpot by hand: jsforce queries,
 * HubSpot batch upserts of 100 and association batches. Owners are left out (the hub matches them by email).
 */
export const salesforceToHubspot: Baseline = async ({ source, destination }) => {
  // jsforce with its transport set straight to the sandbox, as the connector does on loopback.
  const { conn } = new SalesforceClient(source, SALESFORCE_FACTS.sandboxAccessToken, 1);
  const hubspot = new HubSpotWrites(destination);
  await hubspot.prepare(['companies', 'contacts', 'products', 'deals', 'line_items']);
  let records = 0;
  const ids = new Map<string, string>();
  const upsert = async (
    type: HubSpotObjectType,
    group: { sourceId: string; properties: Record<string, string> }[],
  ) => {
    for (const [sourceId, id] of await hubspot.upsert(type, group)) ids.set(sourceId, id);
  };
  for await (const group of regroup(
    soql(conn, 'SELECT Id, Name, Website, BillingCity, BillingCountry, Industry FROM Account'),
    100,
  )) {
    await upsert(
      'companies',
      group.map((a) => ({
        sourceId: a.Id,
        properties: {
          name: a.Name,
          domain: a.Website ?? '',
          city: a.BillingCity ?? '',
          country: a.BillingCountry ?? '',
        },
      })),
    );
    records += group.length;
  }
  for await (const group of regroup(
    soql(conn, 'SELECT Id, FirstName, LastName, Email, Title, AccountId FROM Contact'),
    100,
  )) {
    await upsert(
      'contacts',
      group.map((c) => ({
        sourceId: c.Id,
        properties: {
          email: c.Email ?? '',
          firstname: c.FirstName ?? '',
          lastname: c.LastName,
          jobtitle: c.Title ?? '',
        },
      })),
    );
    await hubspot.associate(
      'contacts',
      'companies',
      TYPE['contacts→companies'],
      group.filter((c) => ids.has(c.AccountId)).map((c) => [ids.get(c.Id)!, ids.get(c.AccountId)!]),
    );
    records += group.length;
  }
  for await (const group of regroup(soql(conn, 'SELECT Id, Name, ProductCode FROM Product2'), 100)) {
    await upsert(
      'products',
      group.map((p) => ({ sourceId: p.Id, properties: { name: p.Name, hs_sku: p.ProductCode ?? '' } })),
    );
    records += group.length;
  }
  for await (const group of regroup(
    soql(conn, 'SELECT Id, Name, StageName, CloseDate, AccountId FROM Opportunity'),
    100,
  )) {
    await upsert(
      'deals',
      group.map((o) => ({
        sourceId: o.Id,
        properties: {
          dealname: o.Name,
          pipeline: 'default',
          dealstage: 'appointmentscheduled',
          closedate: `${o.CloseDate}T00:00:00.000Z`,
        },
      })),
    );
    await hubspot.associate(
      'deals',
      'companies',
      TYPE['deals→companies'],
      group.filter((o) => ids.has(o.AccountId)).map((o) => [ids.get(o.Id)!, ids.get(o.AccountId)!]),
    );
    records += group.length;
  }
  for await (const group of regroup(
    soql(conn, 'SELECT Id, OpportunityId, Product2Id, Quantity, UnitPrice FROM OpportunityLineItem'),
    100,
  )) {
    await upsert(
      'line_items',
      group.map((l) => ({
        sourceId: l.Id,
        properties: {
          quantity: String(l.Quantity),
          price: String(l.UnitPrice),
          hs_product_id: ids.get(l.Product2Id) ?? '',
        },
      })),
    );
    await hubspot.associate(
      'deals',
      'line_items',
      TYPE['deals→line_items'],
      group.map((l) => [ids.get(l.OpportunityId)!, ids.get(l.Id)!]),
    );
  }
  return records;
};
