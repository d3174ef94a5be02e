import { demoShopifySeed } from '../../src/demo/demo-store';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, migrate, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { parsePlan } from '../../src/plan/migration-plan';
import type { RateBudget } from '../../src/connectors/connector.port';

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

  /** The move into a WooCommerce sandbox with its host limit on: what the host refused, and what it holds. */
  async function move(rateLimit?: RateBudget) {
    const shopify = await shopifySandbox(demoShopifySeed(SIZE));
    const woo = await wooSandbox(undefined, { rateLimit: true });
    try {
      const plan = parsePlan(
        {
          name: 'limited',
          source: connection(shopify, 'shopify'),
          destination: { ...connection(woo, 'woocommerce'), ...(rateLimit ? { rateLimit } : {}) },
          entities: ['customers', 'products', 'orders'],
          // As many writes at once as a plan allows: without pacing, bursts well above the host's 50 a second.
          options: { batchSize: 25, concurrency: 16 },
        },
        process.cwd(),
      );
      const run = await migrate(t.ledger, plan);
      const { customers, products, orders } = woo.store;
      return {
        status: run.status,
        held: { customers: customers.size, products: products.size, orders: orders.size },
        throttled: woo.counters().throttled,
      };
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  }

  it('paces the run to it: every record loads and the host answers no request with 429', async () => {
    const run = await move({ capacity: 50, windowMs: 1000 });
    expect(run.status).toBe('completed');
    expect(run.held).toEqual(SIZE);
    expect(run.throttled).toBe(0);
  });

  it('without it, the same run meets the limit as 429s and still loads every record once', async () => {
    const run = await move();
    expect(run.status).toBe('completed');
    expect(run.held).toEqual(SIZE);
    expect(run.throttled).toBeGreaterThan(0);
  });
});
