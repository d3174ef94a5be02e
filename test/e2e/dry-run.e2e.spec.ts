import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration, type RunResult } from '../../src/engine/migration.runner';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';

const counts = (result: RunResult) =>
  Object.fromEntries(
    Object.entries(result.entities).map(([entity, c]) => [
      entity,
      {
        created: c.created,
        updated: c.updated,
        unchanged: c.unchanged,
        quarantined: c.quarantined,
        failed: c.failed,
      },
    ]),
  );

describe('a dry run', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('writes nothing to WooCommerce and predicts exactly what the real run then does, before and after source changes', async () => {
    const seed = demoShopifySeed({ customers: 30, products: 12, orders: 40 });
    seed.customers[1].email = 'broken';
    const shopify = await shopifySandbox(seed);
    // One customer already exists in the destination: it is matched on email and updated, not created.
    const woo = await wooSandbox({ customers: [{ id: 5, email: seed.customers[0].email }] });
    try {
      const p = plan('dry', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const prepared = await prepareMigration(p);
      const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
      expect(woo.counters().writes).toBe(0);
      expect(predicted).toMatchObject({ dryRun: true, status: 'completed_with_errors' });
      expect(predicted.entities.customers).toMatchObject({
        extracted: 30,
        created: 28,
        updated: 1,
        quarantined: 1,
      });
      expect(predicted.predictions).toHaveLength(82);
      expect(predicted.predictions!.find((r) => r.sourceId === seed.customers[1].id)).toMatchObject({
        outcome: 'quarantined',
        reason: expect.stringMatching(/email/),
      });
      const real = await runMigration(prepared, t.ledger);
      expect(counts(real)).toEqual(counts(predicted));

      // The source changes: one customer edited, one product added. Predict again, then run again.
      [...shopify.store.customers.values()][2].firstName = 'Changed';
      shopify.store.seed({
        products: [
          {
            ...seed.products[0],
            id: 'gid://shopify/Product/99999',
            handle: 'brand-new',
            variants: [
              { sku: 'NEW-1', price: '3.00', selectedOptions: [{ name: 'Title', value: 'Default Title' }] },
            ],
          },
        ],
      });
      const writes = woo.counters().writes;
      const again = await runMigration(prepared, t.ledger, { dryRun: true });
      expect(woo.counters().writes).toBe(writes);
      expect(again.entities.customers).toMatchObject({ updated: 1, unchanged: 28, quarantined: 1 });
      expect(again.entities.products).toMatchObject({ created: 1, unchanged: 12 });
      expect(counts(await runMigration(prepared, t.ledger))).toEqual(counts(again));
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('predicts a Shopify destination as well, writing nothing to it', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 20, products: 8, orders: 25 }));
    const back = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    try {
      const prepared = await prepareMigration(
        plan('back', connection(woo, 'woocommerce'), connection(back, 'shopify')),
      );
      const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
      expect(back.counters().writes).toBe(0);
      expect(predicted.entities.orders).toMatchObject({ created: 25, quarantined: 0 });
      expect(counts(await runMigration(prepared, t.ledger))).toEqual(counts(predicted));
    } finally {
      await Promise.all([woo.close(), back.close()]);
    }
  });
});
