import { productSchema } from '../../src/canonical/commerce';
import { dealSchema } from '../../src/canonical/crm';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { sqliteLedger } from '../helpers/ledger';
import { connection, migrate, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { wooList } from '../helpers/woo-api';

type Row = Record<string, any>;

/** A store holding what real stores hold after years of imports and plugins. */
function storeWithBadRecords() {
  const seed = demoShopifySeed({ customers: 12, products: 8, orders: 0 }) as unknown as Record<string, Row[]>;
  const [longName, nul, , , tab] = seed.customers;
  longName.firstName = 'A'.repeat(10_000);
  nul.lastName = 'Jan\u0000sen';
  tab.note = 'first line\n\tsecond line'; // tabs and line breaks are text, not corruption
  const [negative, negativeStock, yesterday] = seed.products;
  negative.variants[0].price = '-5.00';
  negativeStock.variants[0].inventoryQuantity = -10;
  yesterday.createdAt = 'yesterday';
  return { seed, ids: { longName, nul, tab, negative, negativeStock, yesterday } };
}

describe('records that should not load', () => {
  it('are quarantined with a reason each, and the rest of the run goes on', async () => {
    const { seed, ids } = storeWithBadRecords();
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const result = await migrate(
        t.ledger,
        plan('bad', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
          'customers',
          'products',
        ]),
      );
      const reason = (record: Row) =>
        result.problems.find((problem) => problem.sourceId === record.id)?.reason ?? 'loaded';
      expect(reason(ids.longName)).toMatch(/firstName is 10,000 characters, more than the 5,000/);
      expect(reason(ids.nul)).toMatch(/lastName contains a control character/);
      expect(reason(ids.tab)).toBe('loaded');
      expect(reason(ids.negative)).toMatch(/price\.amount \("-5\.00"\) is negative/);
      expect(reason(ids.negativeStock)).toMatch(/inventoryQuantity \(-10\) is negative/);
      expect(reason(ids.yesterday)).toMatch(/createdAt/);
      expect(result.problems).toHaveLength(5);
      expect(result.status).toBe('completed_with_errors');
      // Through WooCommerce's own API: the good records are there, the bad ones are not.
      expect(await wooList(woo.url, 'customers')).toHaveLength(12 - 2);
      const products = await wooList(woo.url, 'products');
      expect(products).toHaveLength(8 - 3);
      expect(products.map((p) => p.name)).not.toContain(ids.negative.title);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });

  it('over the destination’s documented field length are quarantined with the limit', async () => {
    const seed = demoShopifySeed({ customers: 2, products: 3, orders: 0 }) as unknown as Record<
      string,
      Row[]
    >;
    const origin = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t = await sqliteLedger();
    try {
      await migrate(
        t.ledger,
        plan('fill', connection(origin, 'shopify'), connection(woo, 'woocommerce'), ['products']),
      );
      // WooCommerce takes a 300-character product name, and a product without a price; Shopify takes neither.
      const [first, ...others] = await wooList(woo.url, 'products');
      const second = others.find((product) => product.type === 'simple')!;
      const edit = (id: number, body: object) =>
        fetch(`${woo.url}/wp-json/wc/v3/products/${id}?consumer_key=ck_sandbox&consumer_secret=cs_sandbox`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await edit(first.id, { name: 'L'.repeat(300) });
      await edit(second.id, { regular_price: '', sale_price: '' });
      const result = await migrate(
        t.ledger,
        plan('long', connection(woo, 'woocommerce'), connection(shopify, 'shopify'), ['products']),
      );
      expect(result.problems).toHaveLength(2);
      expect(result.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            sourceId: String(first.id),
            outcome: 'quarantined',
            reason: 'too long for shopify: title is 300 characters; shopify takes at most 255',
          }),
          expect.objectContaining({
            sourceId: String(second.id),
            reason: expect.stringMatching(/price is required/),
          }),
        ]),
      );
      expect(shopify.store.products.size).toBe(1);
    } finally {
      await Promise.all([origin.close(), woo.close(), shopify.close(), t.close()]);
    }
  });

  it('with numbers that are not finite are refused by the canonical model', () => {
    const deal = {
      id: 'd1',
      name: 'Deal',
      stage: 'prospecting',
      lines: [{ id: 'l1', name: 'Line', quantity: Infinity, unitPrice: { amount: '1.00', currency: 'EUR' } }],
    };
    expect(dealSchema.safeParse(deal).success).toBe(false);
    expect(dealSchema.safeParse({ ...deal, closeDate: '2026-02-31' }).success).toBe(false);
    const product = {
      id: 'p1',
      handle: 'p',
      title: 'P',
      status: 'active',
      variants: [{ sku: 'S', price: { amount: '1.00', currency: 'EUR' }, inventoryQuantity: Infinity }],
    };
    expect(productSchema.safeParse(product).success).toBe(false);
  });
});
