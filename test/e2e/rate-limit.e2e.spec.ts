import { demoShopifySeed } from '../../src/demo/demo-store';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, migrate, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { parsePlan } from '../../src/plan/migration-plan';

/**
 * A WooCommerce host that allows 50 requests a second and says so only with 429s: a plan that states the limit
 * is paced to it, in the CLI's own process, and the host refuses nothing.
 */
describe("a host's rate limit stated in the plan", () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(() => t.close());

  // Pages of 25 products: each page writes its products' variations concurrently, well above 50 requests a second.
  const SIZE = { customers: 40, products: 200, orders: 60 };

  it('paces the run to it: every record loads and the host answers no request with 429', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(SIZE));
    const woo = await wooSandbox(undefined, { rateLimit: true });
    try {
      const plan = parsePlan(
        {
          name: 'paced',
          source: connection(shopify, 'shopify'),
          destination: { ...connection(woo, 'woocommerce'), rateLimit: { capacity: 50, windowMs: 1000 } },
          entities: ['customers', 'products', 'orders'],
          options: { batchSize: 25 },
        },
        process.cwd(),
      );
      const run = await migrate(t.ledger, plan);
      expect(run.status).toBe('completed');
      expect(woo.store.customers.size).toBe(SIZE.customers);
      expect(woo.store.products.size).toBe(SIZE.products);
      expect(woo.store.orders.size).toBe(SIZE.orders);
      expect(woo.counters().throttled).toBe(0);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('without it, the same run meets the limit as 429s and still loads every record once', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(SIZE));
    const woo = await wooSandbox(undefined, { rateLimit: true });
    try {
      const plan = parsePlan(
        {
          name: 'unpaced',
          source: connection(shopify, 'shopify'),
          destination: connection(woo, 'woocommerce'),
          entities: ['customers', 'products', 'orders'],
          options: { batchSize: 25 },
        },
        process.cwd(),
      );
      const run = await migrate(t.ledger, plan);
      expect(run.status).toBe('completed');
      expect(woo.store.orders.size).toBe(SIZE.orders);
      expect(woo.counters().throttled).toBeGreaterThan(0);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });
});
