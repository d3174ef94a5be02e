import { Client } from '@hubspot/api-client';
import { scalarText } from '../../src/common/text';
import { HUBSPOT_FACTS } from '../../connectors/hubspot/hubspot.facts';
import { SalesforceClient } from '../../connectors/salesforce/salesforce.client';
import { SALESFORCE_FACTS } from '../../connectors/salesforce/salesforce.facts';

/**
 * A CRM as a graph read through the platform's own API: records by kind, and links between them. Records
 * are named by `identity`: their own id (a source) or the source id a migration wrote on them (a
 * destination), so a source and its destination compare directly. A deal's line is named by its own
 * source id (the part after the deal's, for a migrated one).
 */
export interface CrmGraph {
  records: Record<'organization' | 'contact' | 'product' | 'deal' | 'line', string[]>;
  links: string[];
}
type Identity = 'own' | 'source';

export async function hubspotGraph(sandbox: { url: string }, identity: Identity): Promise<CrmGraph> {
  const SOURCE_ID = HUBSPOT_FACTS.sourceIdProperty;
  const kinds = {
    companies: 'organization',
    contacts: 'contact',
    products: 'product',
    deals: 'deal',
    line_items: 'line',
  } as const;
  const listed = {
    companies: await hubspotList(sandbox, 'companies', [SOURCE_ID]),
    contacts: await hubspotList(sandbox, 'contacts', [SOURCE_ID], ['companies']),
    products: await hubspotList(sandbox, 'products', [SOURCE_ID]),
    deals: await hubspotList(sandbox, 'deals', [SOURCE_ID], ['companies', 'contacts', 'line_items']),
    line_items: await hubspotList(sandbox, 'line_items', [SOURCE_ID]),
  };
  const name = new Map<string, string>();
  const graph: CrmGraph = {
    records: { organization: [], contact: [], product: [], deal: [], line: [] },
    links: [],
  };
  for (const [type, records] of Object.entries(listed) as [keyof typeof kinds, typeof listed.deals][])
    for (const record of records) {
      const own = identity === 'own' ? record.id : (record.properties[SOURCE_ID] ?? `unmarked ${record.id}`);
      const named = type === 'line_items' ? own.split('/').pop()! : own;
      name.set(`${type}:${record.id}`, named);
      graph.records[kinds[type]].push(named);
    }
  for (const [type, records] of Object.entries(listed) as [keyof typeof kinds, typeof listed.deals][])
    for (const record of records)
      for (const [to, ids] of Object.entries(record.links))
        for (const id of ids)
          graph.links.push(
            `${kinds[type]}:${name.get(`${type}:${record.id}`)}→${kinds[to as keyof typeof kinds]}:${name.get(`${to}:${id}`) ?? `unknown ${id}`}`,
          );
  return graph;
}

export async function salesforceGraph(sandbox: { url: string }, identity: Identity): Promise<CrmGraph> {
  const EXT = SALESFORCE_FACTS.sourceIdField;
  const ext = identity === 'source' ? `, ${EXT}` : '';
  const [accounts, contacts, products, deals, roles, lines] = await Promise.all([
    salesforceAll(sandbox, `SELECT Id${ext} FROM Account`),
    salesforceAll(sandbox, `SELECT Id, AccountId${ext} FROM Contact`),
    salesforceAll(sandbox, `SELECT Id${ext} FROM Product2`),
    salesforceAll(sandbox, `SELECT Id, AccountId${ext} FROM Opportunity`),
    salesforceAll(sandbox, 'SELECT OpportunityId, ContactId FROM OpportunityContactRole'),
    salesforceAll(sandbox, `SELECT Id, OpportunityId${ext} FROM OpportunityLineItem`),
  ]);
  const name = new Map<string, string>();
  const named = (record: Record<string, unknown>, line = false) => {
    const id = scalarText(record.Id);
    const own = identity === 'own' ? id : scalarText(record[EXT], `unmarked ${id}`);
    const result = line ? own.split('/').pop()! : own;
    name.set(id, result);
    return result;
  };
  const graph: CrmGraph = {
    records: {
      organization: accounts.map((r) => named(r)),
      contact: contacts.map((r) => named(r)),
      product: products.map((r) => named(r)),
      deal: deals.map((r) => named(r)),
      line: lines.map((r) => named(r, true)),
    },
    links: [],
  };
  const of = (id: unknown) => name.get(String(id)) ?? `unknown ${String(id)}`;
  for (const contact of contacts)
    if (contact.AccountId)
      graph.links.push(`contact:${of(contact.Id)}→organization:${of(contact.AccountId)}`);
  for (const deal of deals)
    if (deal.AccountId) graph.links.push(`deal:${of(deal.Id)}→organization:${of(deal.AccountId)}`);
  for (const role of roles) graph.links.push(`deal:${of(role.OpportunityId)}→contact:${of(role.ContactId)}`);
  for (const line of lines) graph.links.push(`deal:${of(line.OpportunityId)}→line:${of(line.Id)}`);
  return graph;
}

/** Each destination record once, the same records as the source, and the same links between them. */
export function expectSameGraph(source: CrmGraph, destination: CrmGraph) {
  for (const kind of Object.keys(source.records) as (keyof CrmGraph['records'])[]) {
    expect([kind, destination.records[kind].length]).toEqual([kind, new Set(destination.records[kind]).size]);
    expect([kind, new Set(destination.records[kind])]).toEqual([kind, new Set(source.records[kind])]);
  }
  expect(source.links.length).toBeGreaterThan(0);
  expect([...destination.links].sort()).toEqual([...source.links].sort());
}

/** Every record of a HubSpot type through the portal's list API, with its links. */
export async function hubspotList(
  sandbox: { url: string },
  type: string,
  properties: string[],
  associations: string[] = [],
) {
  const api = new Client({ accessToken: HUBSPOT_FACTS.sandboxAccessToken, basePath: sandbox.url });
  const found: { id: string; properties: Record<string, string | null>; links: Record<string, string[]> }[] =
    [];
  let after: string | undefined;
  do {
    const page = await api.crm.objects.basicApi.getPage(
      type,
      100,
      after,
      properties,
      undefined,
      associations,
    );
    for (const object of page.results)
      found.push({
        id: object.id,
        properties: object.properties,
        links: Object.fromEntries(
          Object.entries(object.associations ?? {}).map(([to, list]) => [
            to,
            [...new Set(list.results.map((r) => r.id))],
          ]),
        ),
      });
    after = page.paging?.next?.after;
  } while (after);
  return found;
}

/** Every row a SOQL query selects, through jsforce and the org's own query API. */
export async function salesforceAll(
  sandbox: { url: string },
  soql: string,
): Promise<Record<string, unknown>[]> {
  const conn = new SalesforceClient(sandbox.url, SALESFORCE_FACTS.sandboxAccessToken, 1).conn;
  type Result = { records: Record<string, unknown>[]; done: boolean; nextRecordsUrl?: string };
  let result = (await conn.query(soql)) as unknown as Result;
  const records = [...result.records];
  while (!result.done && result.nextRecordsUrl) {
    result = await conn.request<Result>(result.nextRecordsUrl);
    records.push(...result.records);
  }
  return records;
}
