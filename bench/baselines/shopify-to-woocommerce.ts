import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import { ShopifyGraphqlClient } from '../../connectors/shopify/shopify.client';
import { type Baseline, type Endpoints, regroup } from './baseline';
import { shopifyExport } from './shopify-export';

type Node = Record<string, any>;

const address = (a: Node | null) =>
  a
    ? {
        first_name: a.firstName ?? '',
        last_name: a.lastName ?? '',
        address_1: a.address1 ?? '',
        city: a.city ?? '',
        postcode: a.zip ?? '',
        country: a.countryCodeV2 ?? '',
      }
    : {};
const source = (id: string) => [{ key: '_switchyard_source_id', value: id }];

/**
 * What a migration engineer would script by hand: read the shop through bulk exports, shape each record in a
 * line, post WooCommerce `/batch` calls of 100 with the official SDK. No ledger, no checks, no resume.
 */
export const shopifyToWoocommerce: Baseline = async ({ source: from, destination: to }: Endpoints) => {
  const shopify = new ShopifyGraphqlClient(from, 'shpat_sandbox');
  const woo = new WooCommerceRestApi({
    url: to,
    consumerKey: 'ck_sandbox',
    consumerSecret: 'cs_sandbox',
    version: 'wc/v3',
  });
  // A host that limits requests answers 429 with Retry-After: wait as asked and send again.
  const batch = async (path: string, create: Node[]): Promise<Node[]> => {
    for (;;) {
      try {
        return (await woo.post(path, { create })).data.create as Node[];
      } catch (error) {
        const response = (error as { response?: { status: number; headers: Record<string, string> } })
          .response;
        if (response?.status !== 429) throw error;
        await new Promise((resolve) =>
          setTimeout(resolve, Number(response.headers['retry-after'] ?? 1) * 1000),
        );
      }
    }
  };
  let records = 0;

  const customerIds = new Map<string, number>();
  for await (const group of regroup(shopifyExport(shopify, 'customers'), 100)) {
    const made = await batch(
      'customers/batch',
      group.map((c) => ({
        email: c.email,
        first_name: c.firstName ?? '',
        last_name: c.lastName ?? '',
        billing: address(c.addresses[0] ?? null),
        meta_data: source(c.id),
      })),
    );
    made.forEach((m, i) => customerIds.set(group[i].id, m.id));
    records += group.length;
  }

  const variants = (product: Node): Node[] =>
    ((product.variants?.nodes ?? []) as Node[]).sort((a, b) => a.position - b.position);
  const variantIds = new Map<string, { product: number; variation: number }>();
  for await (const group of regroup(shopifyExport(shopify, 'products'), 100)) {
    const made = await batch(
      'products/batch',
      group.map((p) => {
        const own = variants(p);
        const variable = own.length > 1;
        return {
          name: p.title,
          slug: p.handle,
          status: p.status === 'ACTIVE' ? 'publish' : 'draft',
          description: p.descriptionHtml,
          type: variable ? 'variable' : 'simple',
          ...(variable
            ? {
                attributes: p.options.map((o: Node) => ({
                  name: o.name,
                  options: o.values,
                  variation: true,
                })),
              }
            : { sku: own[0]?.sku ?? '', regular_price: own[0]?.price ?? '0' }),
          meta_data: source(p.id),
        };
      }),
    );
    for (const [i, product] of made.entries()) {
      const own = variants(group[i]);
      if (own.length <= 1) {
        if (own[0]) variantIds.set(own[0].id, { product: product.id, variation: 0 });
        continue;
      }
      const created = await batch(
        `products/${product.id}/variations/batch`,
        own.map((v) => ({
          sku: v.sku,
          regular_price: v.price,
          attributes: v.selectedOptions.map((o: Node) => ({ name: o.name, option: o.value })),
          meta_data: source(v.id),
        })),
      );
      created.forEach((c, j) => variantIds.set(own[j].id, { product: product.id, variation: c.id }));
    }
    records += group.length;
  }

  for await (const group of regroup(shopifyExport(shopify, 'orders'), 100)) {
    await batch(
      'orders/batch',
      group.map((o) => ({
        status: o.cancelledAt ? 'cancelled' : o.displayFinancialStatus === 'PAID' ? 'completed' : 'pending',
        currency: o.currencyCode,
        customer_id: o.customer ? (customerIds.get(o.customer.id) ?? 0) : 0,
        billing: { ...address(o.billingAddress), email: o.email ?? '' },
        shipping: address(o.shippingAddress),
        line_items: o.lineItems.nodes.map((l: Node) => {
          const ids = variantIds.get(l.variant?.id) ?? { product: 0, variation: 0 };
          return {
            product_id: ids.product,
            variation_id: ids.variation,
            quantity: l.quantity,
            subtotal: (Number(l.originalUnitPriceSet.shopMoney.amount) * l.quantity).toFixed(2),
          };
        }),
        meta_data: source(o.id),
      })),
    );
    records += group.length;
  }
  return records;
};
