import Decimal from 'decimal.js';
import { ShopifyConnector } from '../../connectors/shopify/shopify.connector';
import { WooConnector } from '../../connectors/woocommerce/woocommerce.connector';
import { demoShopifySeed } from '../../src/demo/demo-store';
import type { NativeRecord } from '../../src/connectors/connector.port';
import type { EntityName } from '../../src/canonical/entities';
import { scalarText } from '../../src/common/text';
import { zeroCounters } from '../../src/ledger/ledger.repository';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, migrate, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';

const SIZE = { customers: 30, products: 12, orders: 40 };

async function readAll(
  connector: ShopifyConnector | WooConnector,
  entity: EntityName,
): Promise<NativeRecord[]> {
  const all: NativeRecord[] = [];
  for await (const page of connector.read(entity, { cursor: null, pageSize: 100 })) all.push(...page.records);
  return all;
}

describe('Shopify → WooCommerce', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('loads every record once, and a second run leaves everything unchanged', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(SIZE));
    const woo = await wooSandbox();
    try {
      const p = plan('s2w', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const first = await migrate(t.ledger, p);
      expect(first.status).toBe('completed');
      expect(first.entities).toEqual({
        products: { ...zeroCounters(), extracted: 12, created: 12 },
        customers: { ...zeroCounters(), extracted: 30, created: 30 },
        orders: { ...zeroCounters(), extracted: 40, created: 40 },
      });
      const writes = woo.counters().writes;
      const second = await migrate(t.ledger, p);
      expect(second.entities).toEqual({
        products: { ...zeroCounters(), extracted: 12, unchanged: 12 },
        customers: { ...zeroCounters(), extracted: 30, unchanged: 30 },
        orders: { ...zeroCounters(), extracted: 40, unchanged: 40 },
      });
      expect(woo.counters().writes).toBe(writes);

      // Checked through WooCommerce's own API: one order per source order, linked to the right customer.
      const api = new WooConnector(woo.url, 'ck_sandbox', 'cs_sandbox');
      const orders = await readAll(api, 'orders');
      const sources = orders.map(
        (o) =>
          (o.meta_data as { key: string; value: string }[]).find((m) => m.key === '_switchyard_source_id')
            ?.value,
      );
      expect(new Set(sources).size).toBe(40);
      const customers = new Map((await readAll(api, 'customers')).map((c) => [c.id, c.email]));
      const seed = demoShopifySeed(SIZE);
      for (const order of orders) {
        const source = seed.orders.find((o) => o.id === sources[orders.indexOf(order)])!;
        const sourceEmail = source.customer
          ? seed.customers.find((c) => c.id === source.customer!.id)!.email
          : null;
        expect(order.customer_id === 0 ? null : customers.get(order.customer_id)).toBe(sourceEmail);
        expect(order.total).toBe(source.totalPriceSet.shopMoney.amount);
      }
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('quarantines records that cannot move, with reasons a merchant can act on, and loads the rest', async () => {
    const seed = demoShopifySeed(SIZE);
    seed.customers[0].email = 'not-an-email';
    seed.products[0].variants[0].price = 'abc';
    const orphanOrders = seed.orders.filter((o) => o.customer?.id === seed.customers[0].id).length;
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    try {
      const result = await migrate(
        t.ledger,
        plan('bad', connection(shopify, 'shopify'), connection(woo, 'woocommerce')),
      );
      expect(result.status).toBe('completed_with_errors');
      expect(result.entities.customers).toMatchObject({ created: 29, quarantined: 1 });
      expect(result.entities.products).toMatchObject({ created: 11, quarantined: 1 });
      const reasons = Object.fromEntries(result.problems.map((p) => [p.sourceId, p.reason]));
      expect(reasons[seed.customers[0].id]).toMatch(/email \("not-an-email"\) is not a valid email address/);
      expect(reasons[seed.products[0].id]).toMatch(
        new RegExp(
          `variant SKU ${seed.products[0].variants[0].sku}: price\\.amount \\("abc"\\) is not a decimal amount`,
        ),
      );
      const orphans = result.problems.filter((p) => p.entity === 'orders');
      const productOrders = seed.orders.filter((o) =>
        o.lineItems.some((l) => seed.products[0].variants.some((v) => v.id === l.variant.id)),
      );
      expect(orphans.length).toBeGreaterThanOrEqual(orphanOrders);
      for (const orphan of orphans)
        expect(orphan.reason).toMatch(/was not migrated \(quarantined: invalid (customer|product)/);
      expect(result.entities.orders.created + orphans.length).toBe(40);
      expect(orphans.length).toBe(
        new Set(
          [...seed.orders.filter((o) => o.customer?.id === seed.customers[0].id), ...productOrders].map(
            (o) => o.id,
          ),
        ).size,
      );
      expect(await new WooConnector(woo.url, 'ck_sandbox', 'cs_sandbox').count('orders')).toBe(
        40 - orphans.length,
      );
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });
});

describe('WooCommerce → Shopify, and the round trip', () => {
  it('moves back as well as forth, keeping customers, SKUs, prices, stock, order totals and links', async () => {
    const seed = demoShopifySeed(SIZE);
    const origin = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const back = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t1 = await sqliteLedger();
    const t2 = await sqliteLedger();
    try {
      await migrate(t1.ledger, plan('there', connection(origin, 'shopify'), connection(woo, 'woocommerce')));
      const result = await migrate(
        t2.ledger,
        plan('back', connection(woo, 'woocommerce'), connection(back, 'shopify')),
      );
      expect(result.status).toBe('completed');
      expect(result.entities.orders).toMatchObject({ extracted: 40, created: 40 });

      const a = new ShopifyConnector(origin.url, 'shpat_sandbox', { concurrency: 2 });
      const b = new ShopifyConnector(back.url, 'shpat_sandbox', { concurrency: 2 });
      const customersOf = async (c: ShopifyConnector) =>
        new Map((await readAll(c, 'customers')).map((x) => [x.email, [x.firstName, x.lastName, x.id]]));
      const [ca, cb] = [await customersOf(a), await customersOf(b)];
      expect([...cb.keys()].sort()).toEqual([...ca.keys()].sort());
      for (const [email, [first, last]] of ca) expect(cb.get(email)!.slice(0, 2)).toEqual([first, last]);

      const variantsOf = async (c: ShopifyConnector) =>
        new Map(
          (await readAll(c, 'products')).flatMap((p) =>
            (p.variants as NativeRecord[]).map(
              (v) => [v.sku, [v.price, v.compareAtPrice, v.inventoryQuantity]] as const,
            ),
          ),
        );
      const [va, vb] = [await variantsOf(a), await variantsOf(b)];
      expect([...vb.keys()].sort()).toEqual([...va.keys()].sort());
      for (const [sku, values] of va) expect(vb.get(sku)).toEqual(values);

      const ordersOf = async (c: ShopifyConnector, customers: Map<unknown, unknown[]>) => {
        const emailById = new Map([...customers].map(([email, [, , id]]) => [id, email]));
        return new Map(
          (await readAll(c, 'orders')).map((o) => [
            o.name,
            [
              (o.totalPriceSet as any).shopMoney.amount,
              o.customer ? emailById.get((o.customer as any).id) : null,
              (o.lineItems as NativeRecord[])
                .map((l) => `${scalarText(l.sku)}x${scalarText(l.quantity)}`)
                .sort()
                .join(','),
            ],
          ]),
        );
      };
      const [oa, ob] = [await ordersOf(a, ca), await ordersOf(b, cb)];
      expect(ob.size).toBe(oa.size);
      for (const [name, [total, customer, lines]] of oa) {
        const [totalB, customerB, linesB] = ob.get(name)!;
        expect(new Decimal(totalB as string).equals(new Decimal(total as string))).toBe(true);
        expect([customerB, linesB]).toEqual([customer, lines]);
      }
    } finally {
      await Promise.all([origin.close(), woo.close(), back.close(), t1.close(), t2.close()]);
    }
  });

  it('quarantines a WooCommerce order whose customer was deleted from the store', async () => {
    const woo = await wooSandbox({
      customers: [{ id: 1, email: 'kept@example.com', first_name: 'Kept' }],
      products: [
        { id: 10, name: 'Mug', sku: 'MUG-1', regular_price: '9.50', manage_stock: true, stock_quantity: 4 },
      ],
      orders: [
        {
          id: 100,
          status: 'processing',
          currency: 'EUR',
          customer_id: 1,
          total: '9.50',
          line_items: [{ product_id: 10, quantity: 1, subtotal: '9.50', total: '9.50', name: 'Mug' }],
        },
        {
          id: 101,
          status: 'processing',
          currency: 'EUR',
          customer_id: 999,
          total: '9.50',
          line_items: [{ product_id: 10, quantity: 1, subtotal: '9.50', total: '9.50', name: 'Mug' }],
        },
      ],
    });
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const result = await migrate(
        t.ledger,
        plan('orphan', connection(woo, 'woocommerce'), connection(shopify, 'shopify')),
      );
      expect(result.entities.orders).toMatchObject({ created: 1, quarantined: 1 });
      expect(result.problems).toEqual([
        {
          entity: 'orders',
          sourceId: '101',
          outcome: 'quarantined',
          reason: expect.stringMatching(
            /customer 999 does not exist in the source; link the record to an existing customer/,
          ),
        },
      ]);
    } finally {
      await Promise.all([woo.close(), shopify.close(), t.close()]);
    }
  });
});
