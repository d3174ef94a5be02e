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

/** One Admin GraphQL request to a sandbox shop, with its default token: the whole answer as Shopify sends it. */
export async function shopifyGraphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${url}/admin/api/2025-01/graphql.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_sandbox' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as T;
}
