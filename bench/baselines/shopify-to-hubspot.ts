import { ShopifyGraphqlClient } from '../../connectors/shopify/shopify.client';
import { HUBSPOT_FACTS } from '../../connectors/hubspot/hubspot.facts';
import { type Baseline, regroup } from './baseline';
import { HubSpotWrites } from './hubspot-writes';
import { shopifyExport } from './shopify-export';

type Node = Record<string, any>;
const TYPE = HUBSPOT_FACTS.associationTypes;

/**
 * Shopify customers, products and orders into HubSpot contacts, products and deals with line items, by hand:
 * Shopify's pages through the SDK, HubSpot batch upserts of 100 and association batches.
 */
export const shopifyToHubspot: Baseline = async ({ source, destination }) => {
  const shopify = new ShopifyGraphqlClient(source, 'shpat_sandbox');
  const hubspot = new HubSpotWrites(destination);
  await hubspot.prepare(['contacts', 'products', 'deals', 'line_items']);
  let records = 0;
  const contacts = new Map<string, string>();
  for await (const group of regroup(shopifyExport(shopify, 'customers'), 100)) {
    const ids = await hubspot.upsert(
      'contacts',
      group.map((c) => ({
        sourceId: c.id,
        properties: {
          email: c.email,
          firstname: c.firstName ?? '',
          lastname: c.lastName ?? '',
          phone: c.phone ?? '',
        },
      })),
    );
    for (const [sourceId, id] of ids) contacts.set(sourceId, id);
    records += group.length;
  }
  for await (const group of regroup(shopifyExport(shopify, 'products'), 100)) {
    await hubspot.upsert(
      'products',
      group.map((p) => ({
        sourceId: p.id,
        properties: { name: p.title, description: p.descriptionHtml ?? '' },
      })),
    );
    records += group.length;
  }
  for await (const group of regroup(shopifyExport(shopify, 'orders'), 100)) {
    const deals = await hubspot.upsert(
      'deals',
      group.map((o) => ({
        sourceId: o.id,
        properties: {
          dealname: `Order ${o.name}`,
          amount: o.totalPriceSet.shopMoney.amount,
          deal_currency_code: o.currencyCode,
          pipeline: 'default',
          dealstage: 'closedwon',
        },
      })),
    );
    const lines = group.flatMap((o: Node) =>
      o.lineItems.nodes.map((l: Node) => ({
        deal: o.id,
        sourceId: l.id,
        properties: {
          name: l.title,
          quantity: String(l.quantity),
          price: l.originalUnitPriceSet.shopMoney.amount,
          hs_sku: l.sku ?? '',
        },
      })),
    );
    const lineIds = new Map<string, string>();
    for (let start = 0; start < lines.length; start += 100)
      for (const [sourceId, id] of await hubspot.upsert('line_items', lines.slice(start, start + 100)))
        lineIds.set(sourceId, id);
    await hubspot.associate(
      'deals',
      'line_items',
      TYPE['deals→line_items'],
      lines.map((l) => [deals.get(l.deal)!, lineIds.get(l.sourceId)!]),
    );
    const buyers = group.filter((o) => o.customer && contacts.has(o.customer.id));
    await hubspot.associate(
      'deals',
      'contacts',
      TYPE['deals→contacts'],
      buyers.map((o) => [deals.get(o.id)!, contacts.get(o.customer.id)!]),
    );
    records += group.length;
  }
  return records;
};
