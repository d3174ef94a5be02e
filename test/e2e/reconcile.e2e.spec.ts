import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { reconcile } from '../../src/reconcile/reconcile';
import { sqliteLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';

describe('reconcile', () => {
  it('passes after a clean migration, and fails naming the record and field after edits behind Switchyard’s back', async () => {
    const seed = demoShopifySeed({ customers: 25, products: 10, orders: 30 });
    seed.customers[3].email = 'not-valid';
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const prepared = await prepareMigration(
        plan('rec', connection(shopify, 'shopify'), connection(woo, 'woocommerce')),
      );
      await runMigration(prepared, t.ledger);
      const clean = await reconcile(prepared, t.ledger);
      expect(clean.differences).toEqual([]);
      expect(clean.verdict).toBe('pass');
      expect(clean.quarantined.map((q) => q.sourceId)).toContain(seed.customers[3].id);
      expect(clean.entities.orders.aggregates['line quantities'].equal).toBe(true);
      expect(clean.knownLosses).toEqual(
        expect.arrayContaining([{ entity: 'products', field: 'vendor', reason: expect.any(String) }]),
      );

      // Behind Switchyard's back: a price edited, an order deleted, a customer added.
      const variation =
        [...woo.store.variations.values()][0] ??
        [...woo.store.products.values()].find((p) => p.type === 'simple')!;
      variation.regular_price = '999.00';
      variation.sale_price = '';
      variation.price = '999.00';
      // Deleted through WooCommerce's own API.
      const deleted = [...woo.store.orders.values()][0];
      await prepared.destination.delete('orders', [String(deleted.id)]);
      woo.store.seed({ customers: [{ id: 9999, email: 'sneaky@example.com' }] });
      const tampered = await reconcile(prepared, t.ledger);
      expect(tampered.verdict).toBe('fail');
      const summary = tampered.differences.map(
        (d) => `${d.entity}:${d.field ?? 'record'}:${d.destinationId ?? ''}`,
      );
      expect(summary).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^products:variants\.\d+\.price\.amount:/),
          `orders:record:${deleted.id}`,
          'customers:record:9999',
        ]),
      );
      const price = tampered.differences.find((d) => d.field?.includes('price.amount'))!;
      expect(price.destination).toBe('999.00');
      expect(tampered.entities.orders.aggregates).toMatchObject({ 'line quantities': { equal: false } });
      // Each side counted on its own: the deleted order is missing from its status and currency.
      const before = clean.entities.orders.categories;
      const after = tampered.entities.orders.categories;
      expect(before.status.destination).toEqual(before.status.source);
      expect(after.status.source).toEqual(before.status.source);
      const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
      expect(total(after.status.destination)).toBe(total(after.status.source) - 1);
      expect(after.currency.destination).not.toEqual(after.currency.source);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});

describe('reconcile, WooCommerce → Shopify', () => {
  it('passes after a clean migration, with the fields Shopify cannot hold listed as known losses', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 20, products: 8, orders: 25 }));
    const back = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t2 = await sqliteLedger();
    try {
      const prepared = await prepareMigration(
        plan('back', connection(woo, 'woocommerce'), connection(back, 'shopify')),
      );
      await runMigration(prepared, t2.ledger);
      const report = await reconcile(prepared, t2.ledger);
      expect(report.differences).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(report.knownLosses.map((k) => `${k.entity}.${k.field}`)).toEqual(
        expect.arrayContaining(['customers.addresses.kind', 'orders.createdAt']),
      );
    } finally {
      await Promise.all([woo.close(), back.close(), t2.close()]);
    }
  });
});
