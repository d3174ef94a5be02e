import { demoShopifySeed } from '../../src/demo/demo-store';
import { LedgerRecordRow } from '../../src/ledger/ledger.entities';
import { sqliteLedger } from '../helpers/ledger';
import { connection, migrate, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { sourceIds, wooList } from '../helpers/woo-api';

const STORE = { customers: 10, products: 6, orders: 30 };

describe('a stale destination reference in the ledger', () => {
  it('is re-checked in the destination and repaired, so orders load instead of staying quarantined', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(STORE));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    const rows = t.dataSource.getRepository(LedgerRecordRow);
    try {
      const catalog = plan('stale', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
        'products',
      ]);
      await migrate(t.ledger, catalog);
      // As after a write whose answer went missing: one product's row lists no variants at all, another's
      // lists variant ids the store does not have.
      const products = await rows.findBy({ entity: 'products' });
      const [forgotten, wrong] = products.filter((row) => Object.keys(row.refs?.variants ?? {}).length > 0);
      await rows.update({ id: forgotten.id }, { refs: { variants: {} } });
      const bogus = Object.fromEntries(Object.keys(wrong.refs!.variants!).map((sku) => [sku, '999999']));
      await rows.update({ id: wrong.id }, { refs: { variants: bogus } });

      const result = await migrate(t.ledger, {
        ...catalog,
        entities: ['customers', 'products', 'orders'],
      });
      expect(result.problems).toEqual([]);
      expect(result.entities.orders).toMatchObject({ created: STORE.orders, quarantined: 0, failed: 0 });
      // The rows now say what WooCommerce holds.
      const variations = new Map<string, string>();
      for (const product of await wooList(woo.url, 'products'))
        for (const variation of await wooList(woo.url, `products/${product.id}/variations`))
          variations.set(String(variation.sku), String(variation.id));
      for (const id of [forgotten.id, wrong.id]) {
        const repaired = await rows.findOneByOrFail({ id });
        for (const [sku, variantId] of Object.entries(repaired.refs!.variants!))
          expect(variations.get(sku) ?? repaired.destinationId).toBe(variantId);
      }
      const orders = await wooList(woo.url, 'orders');
      expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });

  it('for a product deleted in the destination marks it for reloading, and the next run loads it and its orders', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(STORE));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    const rows = t.dataSource.getRepository(LedgerRecordRow);
    try {
      const catalog = plan('gone', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
        'products',
      ]);
      await migrate(t.ledger, catalog);
      const everything = {
        ...catalog,
        entities: ['customers', 'products', 'orders'] as typeof catalog.entities,
      };
      // Someone deletes a product in WooCommerce after it loaded.
      const gone = (await rows.findBy({ entity: 'products' }))[0];
      woo.store.products.delete(Number(gone.destinationId));
      const first = await migrate(t.ledger, everything);
      const waiting = first.problems.filter((problem) => problem.entity === 'orders');
      expect(waiting.length).toBeGreaterThan(0);
      expect(first.problems.every((problem) => /was deleted in the destination/.test(problem.reason))).toBe(
        true,
      );
      // The next run reloads the product first, then the orders that waited for it.
      const second = await migrate(t.ledger, everything);
      expect(second.problems).toEqual([]);
      expect(second.entities.products?.created).toBe(1);
      expect(second.entities.orders?.created).toBe(waiting.length);
      const orders = await wooList(woo.url, 'orders');
      expect(orders).toHaveLength(STORE.orders);
      expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});
