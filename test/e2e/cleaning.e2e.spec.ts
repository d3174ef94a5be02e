import { prepareAudit, runAudit } from '../../src/audit/audit';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { parsePlan } from '../../src/plan/migration-plan';
import { reconcile } from '../../src/reconcile/reconcile';
import { sqliteLedger } from '../helpers/ledger';
import { connection, shopifySandbox, wooSandbox } from '../helpers/sandboxes';

/** A Shopify store with a duplicate customer, a missing country, a test customer and test orders. */
function plantedStore() {
  const seed = demoShopifySeed({ customers: 30, products: 10, orders: 40 });
  const [survivor, duplicate, noCountry, tester] = [1, 2, 4, 9].map((i) => seed.customers[i]);
  duplicate.email = survivor.email.toUpperCase();
  seed.orders[0].customer = { id: duplicate.id };
  // A copy: the seed's orders share the customer's address object.
  noCountry.addresses = [{ ...noCountry.addresses[0], countryCodeV2: null as unknown as string }];
  noCountry.defaultAddress = noCountry.addresses[0];
  tester.tags = ['test'];
  for (const i of [5, 6]) seed.orders[i].tags = ['test'];
  const testerOrders = seed.orders.filter((o, i) => o.customer?.id === tester.id && ![5, 6].includes(i));
  return { seed, survivor, duplicate, noCountry, tester, testerOrders };
}

const CLEANING = {
  customers: {
    merge: { on: 'email' },
    defaults: { 'addresses[].country': 'NL' },
    skip: [{ field: 'tags', in: ['test'] }],
  },
  orders: { skip: [{ field: 'tags', equals: 'test' }] },
};

describe('cleaning rules', () => {
  it('merge duplicates, fill defaults and skip categories, as the audit predicts, and reconcile passes', async () => {
    const store = plantedStore();
    const shopify = await shopifySandbox(store.seed);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    const plan = parsePlan(
      {
        name: 'cleaned',
        source: connection(shopify, 'shopify'),
        destination: connection(woo, 'woocommerce'),
        entities: ['customers', 'products', 'orders'],
        cleaning: CLEANING,
      },
      process.cwd(),
    );
    const [survivorId, duplicateId, testerId] = [store.survivor, store.duplicate, store.tester].map(
      (c) => c.id,
    );
    try {
      // The audit shows what the rules will do, and which problems remain to fix at the source.
      const audit = await runAudit(plan, await prepareAudit(plan));
      expect(audit.entities.customers.cleaning).toEqual({
        defaulted: { 'addresses[].country': 1 },
        skipped: 1,
        merged: 1,
      });
      expect(audit.entities.orders.cleaning).toEqual({ defaulted: {}, skipped: 2, merged: 0 });
      const duplicates = audit.findings.filter((f) => f.kind === 'duplicate');
      expect(duplicates.map((f) => [f.sourceId, f.cleaning])).toEqual([
        [survivorId, `kept: ${duplicateId} merge into it (merge on email)`],
        [duplicateId, `merged into ${survivorId} (merge on email)`],
      ]);
      const orphans = audit.findings.filter((f) => f.kind === 'orphan');
      expect(orphans.map((f) => f.sourceId).sort()).toEqual(store.testerOrders.map((o) => o.id).sort());
      expect(orphans.every((f) => f.cleaning === undefined && f.message.includes(testerId))).toBe(true);
      expect(woo.counters().writes).toBe(0);

      const prepared = await prepareMigration(plan);
      const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
      const first = await runMigration(prepared, t.ledger);
      expect(predicted.entities).toEqual(first.entities);
      expect(first.entities.customers).toMatchObject({ created: 28, merged: 1, skipped: 1, quarantined: 0 });
      expect(first.entities.orders).toMatchObject({
        created: 38 - store.testerOrders.length,
        skipped: 2,
        quarantined: store.testerOrders.length,
      });

      // In the destination: one customer per email, the duplicate's order on the survivor, NL filled in.
      const customers = [...woo.store.customers.values()];
      expect(customers).toHaveLength(28);
      const kept = customers.filter((c) => c.email === store.survivor.email);
      expect(kept).toHaveLength(1);
      expect(customers.some((c) => c.email === store.tester.email)).toBe(false);
      expect(customers.find((c) => c.email === store.noCountry.email)!.billing.country).toBe('NL');
      const mergedOrder = [...woo.store.orders.values()].find((o) =>
        (o.meta_data as { value: unknown }[]).some((m) => m.value === store.seed.orders[0].id),
      )!;
      expect(mergedOrder.customer_id).toBe(kept[0].id);
      expect(woo.store.orders.size).toBe(38 - store.testerOrders.length);

      // Nothing doubled on a re-run; the merge and the skips hold.
      const again = await runMigration(prepared, t.ledger);
      expect(again.entities.customers).toMatchObject({ created: 0, updated: 0, merged: 1, skipped: 1 });
      expect(again.entities.orders).toMatchObject({ created: 0, skipped: 2 });
      expect(woo.store.customers.size).toBe(28);

      const report = await reconcile(prepared, t.ledger);
      expect(report.differences).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(report.entities.customers.ledger).toMatchObject({ loaded: 28, skipped: 1, merged: 1 });
      expect(report.cleaned.map((c) => `${c.entity} ${c.sourceId} ${c.status}`).sort()).toEqual(
        [
          `customers ${duplicateId} merged`,
          `customers ${testerId} skipped`,
          ...[5, 6].map((i) => `orders ${store.seed.orders[i].id} skipped`),
        ].sort(),
      );
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});
