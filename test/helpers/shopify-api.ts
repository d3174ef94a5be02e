import { ShopifyConnector } from '../../connectors/shopify/shopify.connector';

/** Every record of an entity, read through the shop's own Admin GraphQL API. */
export async function shopifyList(
  url: string,
  entity: 'customers' | 'products' | 'orders',
): Promise<Record<string, any>[]> {
  const api = new ShopifyConnector(url, 'shpat_sandbox', { concurrency: 2 });
  const all: Record<string, any>[] = [];
  for await (const page of api.read(entity, { cursor: null, pageSize: 250 })) all.push(...page.records);
  return all;
}
