import { bulkExport, bulkPages } from '../../connectors/shopify/bulk-read';
import type { ShopifyGraphqlClient } from '../../connectors/shopify/shopify.client';
import { bulkQuery } from '../../connectors/shopify/shopify.queries';

type Node = Record<string, any>;

/** Where each kind of nested object goes on its parent, as the paged queries' connections hold them. */
const CONNECTION_OF: Record<string, string> = {
  LineItem: 'lineItems',
  ShippingLine: 'shippingLines',
  ProductVariant: 'variants',
};

/**
 * Every node of an entity, 100 at a time, through one bulk export (what a script author reading a whole shop
 * is told to use): nested objects are put back under their parent as `{ nodes: [...] }`.
 */
export function shopifyExport(client: ShopifyGraphqlClient, kind: 'customers' | 'products' | 'orders') {
  const assemble = (parent: Node, children: Node[]) => {
    const node: Node = { ...parent };
    for (const child of children) {
      const field = CONNECTION_OF[child.__typename as string] ?? 'media';
      ((node[field] ??= { nodes: [] }) as { nodes: Node[] }).nodes.push(child);
    }
    return node;
  };
  return (async function* () {
    for await (const page of bulkPages(await bulkExport(client, bulkQuery(kind, '', null)), 100, assemble))
      yield page.records as Node[];
  })();
}
