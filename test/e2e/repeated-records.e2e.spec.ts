import type { ReadPage } from '../../src/connectors';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { sqliteLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { sourceIds, wooList } from '../helpers/woo-api';

const STORE = { customers: 12, products: 6, orders: 45 };

/**
 * A source may hand a record over on two pages in a row (it moved between the reads). The second time, the
 * ledger already has it: it is found unchanged, not written again. Checked where a second write would be a
 * duplicate, since WooCommerce keeps no order unique.
 */
describe('a record a source hands over twice', () => {
  it('is written once when it comes on two consecutive pages', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(STORE));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const base = plan('twice', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const prepared = await prepareMigration({ ...base, options: { ...base.options, batchSize: 10 } });
      // Orders come in pages of 10; each page after the first starts again with the last order of the one before.
      const read = prepared.source.read.bind(prepared.source);
      prepared.source.read = async function* (entity, options): AsyncIterable<ReadPage> {
        let last: ReadPage['records'][number] | undefined;
        for await (const page of read(entity, options)) {
          const records = entity === 'orders' && last ? [last, ...page.records] : page.records;
          last = page.records.at(-1);
          yield { ...page, records };
        }
      };
      const result = await runMigration(prepared, t.ledger);
      expect(result.status).toBe('completed');
      const orders = await wooList(woo.url, 'orders');
      expect(orders).toHaveLength(STORE.orders);
      expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
      // Read twice, 4 orders were found unchanged the second time: written once, counted once as created.
      expect(result.entities.orders).toMatchObject({ created: STORE.orders, failed: 0, unchanged: 4 });
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  }, 60_000);
});
