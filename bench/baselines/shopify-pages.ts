import type { ShopifyGraphqlClient } from '../../connectors/shopify/shopify.client';

type Node = Record<string, any>;
interface Connection {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every node of a connection, a page at a time, at the page size the hub reads too. */
export async function* shopifyPages(
  client: ShopifyGraphqlClient,
  query: string,
  field: string,
  first: number,
) {
  let after: string | null = null;
  do {
    const data: Record<string, Connection> = await client.request(query, { first, after });
    yield data[field].nodes;
    after = data[field].pageInfo.hasNextPage ? data[field].pageInfo.endCursor : null;
  } while (after);
}
