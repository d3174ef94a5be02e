import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { reconcile } from '../../src/reconcile/reconcile';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { wooList } from '../helpers/woo-api';

/**
 * Delta runs: only what the source changed since the last completed run's high-water mark (less an overlap)
 * is read and written; the mark moves only when a run completes.
 */
describe('a delta run', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('writes exactly what the source changed since the last completed run, and reconcile passes after', async () => {
    const seed = demoShopifySeed({ customers: 30, products: 8, orders: 20 });
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    try {
      const p = plan('delta', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const prepared = await prepareMigration(p);
      const full = await runMigration(prepared, t.ledger);
      expect(full).toMatchObject({ kind: 'full', status: 'completed' });
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const mark = (await t.ledger.watermark(migration.id, 'customers'))!;
      expect(mark).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      // The merchant keeps trading: 10 customers edited, 3 new ones, all stamped after the mark.
      const later = new Date(Date.parse(mark) + 60 * 60_000).toISOString();
      const customers = [...shopify.store.customers.values()];
      for (const customer of customers.slice(0, 10)) {
        customer.note = `called on ${later}`;
        customer.updatedAt = later;
      }
      shopify.store.seed({
        customers: [0, 1, 2].map((i) => ({
          email: `new.${i}@example.com`,
          firstName: 'New',
          lastName: `Customer ${i}`,
          createdAt: later,
          updatedAt: later,
        })),
      });
      const writes = woo.counters().writes;
      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta).toMatchObject({ kind: 'delta', status: 'completed' });
      expect(delta.entities.customers).toMatchObject({ created: 3, updated: 10, failed: 0 });
      // Only what changed was read: what the overlap re-read came out unchanged, and the rest was not read.
      expect(delta.entities.customers.extracted).toBeLessThan(customers.length);
      expect(delta.entities.products).toMatchObject({ created: 0, updated: 0 });
      expect(delta.entities.orders).toMatchObject({ created: 0, updated: 0 });
      expect(woo.counters().writes - writes).toBe(13);
      expect(await wooList(woo.url, 'customers')).toHaveLength(33);
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
      expect(await t.ledger.watermark(migration.id, 'customers')).toBe(later.replace(/\.\d+Z$/, '.000Z'));

      // A record stamped a second before the mark (a clock running behind) is read again by the overlap.
      const laggard = customers[20];
      laggard.note = 'edited while the last run was reading';
      laggard.updatedAt = new Date(Date.parse(later) - 1000).toISOString();
      const overlap = await runMigration(prepared, t.ledger, { delta: true });
      expect(overlap.entities.customers).toMatchObject({ updated: 1, created: 0 });
      const stored = (await wooList(woo.url, 'customers')).find((c) => c.email === laggard.email)!;
      expect(stored).toBeDefined();
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('stopped part-way leaves the high-water mark where it was, and the re-run loses nothing', async () => {
    const seed = demoShopifySeed({ customers: 24, products: 2, orders: 0 });
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    try {
      const p = plan('delta-stop', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
      ]);
      p.options.batchSize = 5;
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const mark = (await t.ledger.watermark(migration.id, 'customers'))!;
      const later = new Date(Date.parse(mark) + 60 * 60_000).toISOString();
      for (const customer of [...shopify.store.customers.values()]) {
        customer.note = 'changed';
        customer.updatedAt = later;
      }
      // Stopped after its first page, as Ctrl-C does.
      const controller = new AbortController();
      const stopped = await runMigration(prepared, t.ledger, {
        delta: true,
        signal: controller.signal,
        progress: { pageDone: () => controller.abort() },
      });
      expect(stopped.status).toBe('interrupted');
      expect(await t.ledger.watermark(migration.id, 'customers')).toBe(mark);
      const resumed = await runMigration(prepared, t.ledger, { delta: true });
      expect(resumed).toMatchObject({ resumed: true, status: 'completed' });
      const rows = await t.ledger.entityRows(migration.id, 'customers');
      const notes = (await wooList(woo.url, 'customers')).map((c) => c.meta_data);
      expect(rows.filter((row) => row.status === 'loaded')).toHaveLength(24);
      expect(notes).toHaveLength(24);
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
      expect(await t.ledger.watermark(migration.id, 'customers')).not.toBe(mark);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });
});
