import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { runCli } from '../helpers/cli';
import { startFaultProxy } from '../helpers/fault-proxy';
import { connection, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { shopifyList } from '../helpers/shopify-api';
import { sourceIds, wooList } from '../helpers/woo-api';

const STORE = { customers: 12, products: 5, orders: 24 };
const KILL_POINTS = 20;
/** Kill points run a few at a time: each is two CLI processes and its own sandboxes. */
const PARALLEL = 3;

interface Direction {
  name: string;
  source: () => Promise<{ url: string; close(): Promise<void> }>;
  sourcePlatform: 'shopify' | 'woocommerce';
  destination: () => Promise<{ url: string; close(): Promise<void> }>;
  destinationPlatform: 'shopify' | 'woocommerce';
  /** Every source record exactly once, read through the destination's own API. */
  expectExactlyOnce(url: string): Promise<void>;
}

const DIRECTIONS: Direction[] = [
  {
    name: 'Shopify → WooCommerce',
    source: () => shopifySandbox(demoShopifySeed(STORE)),
    sourcePlatform: 'shopify',
    destination: () => wooSandbox(),
    destinationPlatform: 'woocommerce',
    async expectExactlyOnce(url) {
      const orders = await wooList(url, 'orders');
      expect(orders).toHaveLength(STORE.orders);
      expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
      expect(await wooList(url, 'customers')).toHaveLength(STORE.customers);
      expect(await wooList(url, 'products')).toHaveLength(STORE.products);
    },
  },
  {
    name: 'WooCommerce → Shopify',
    source: () => wooStoreFrom(demoShopifySeed(STORE)),
    sourcePlatform: 'woocommerce',
    destination: () => shopifySandbox({ shop: { currencyCode: 'EUR' } }),
    destinationPlatform: 'shopify',
    async expectExactlyOnce(url) {
      const orders = await shopifyList(url, 'orders');
      expect(orders).toHaveLength(STORE.orders);
      expect(new Set(orders.map((order) => order.sourceIdentifier)).size).toBe(STORE.orders);
      expect(await shopifyList(url, 'customers')).toHaveLength(STORE.customers);
      expect(await shopifyList(url, 'products')).toHaveLength(STORE.products);
    },
  },
];

/**
 * Runs the CLI against a proxy in front of the destination; with `killAt`, SIGKILLs it right after the
 * destination answered its killAt-th request (read or write) and before the CLI hears the answer.
 */
async function migrateThrough(direction: Direction, source: { url: string }, killAt?: number) {
  const destination = await direction.destination();
  let kill = () => {};
  const proxy = await startFaultProxy(destination.url, [
    ...(killAt
      ? [
          {
            when: () => true,
            fault: 'kill-after' as const,
            every: 1e9,
            offset: killAt - 1,
            limit: 1,
            onFault: () => kill(),
          },
        ]
      : []),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-kill-'));
  const planFile = join(dir, 'plan.yaml');
  writeFileSync(
    planFile,
    JSON.stringify({
      name: 'kill-matrix',
      source: connection(source, direction.sourcePlatform),
      destination: connection(destination, direction.destinationPlatform, proxy.url),
      entities: ['customers', 'products', 'orders'],
      options: { batchSize: 3, concurrency: 2 },
    }),
  );
  const env = { DATABASE_URL: `sqlite:${join(dir, 'ledger.db')}` };
  const first = await runCli(['migrate', planFile, '--json'], env, (killer) => (kill = killer));
  return { destination, proxy, first, planFile, env };
}

describe.each(DIRECTIONS)('kill matrix: $name', (direction) => {
  it(`SIGKILLed at ${KILL_POINTS} points spread over the run, resumed: every record exactly once`, async () => {
    const source = await direction.source();
    try {
      // A clean run first: how many requests the destination sees, to spread the kill points over.
      const clean = await migrateThrough(direction, source);
      expect(clean.first.code).toBe(0);
      const total = clean.proxy.requests;
      await direction.expectExactlyOnce(clean.destination.url);
      await Promise.all([clean.destination.close(), clean.proxy.close()]);
      expect(total).toBeGreaterThan(KILL_POINTS);

      const points = Array.from(
        { length: KILL_POINTS },
        (_, i) => 1 + Math.floor((i * (total - 1)) / KILL_POINTS),
      );
      const failures: string[] = [];
      const queue = [...points];
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          for (let killAt = queue.shift(); killAt !== undefined; killAt = queue.shift()) {
            const run = await migrateThrough(direction, source, killAt);
            try {
              if (run.first.signal !== 'SIGKILL') failures.push(`kill at ${killAt}: the run was not killed`);
              const resumed = await runCli(['migrate', run.planFile, '--json'], run.env);
              if (resumed.code !== 0)
                failures.push(`kill at ${killAt}: resume exited ${resumed.code}: ${resumed.stderr}`);
              await direction
                .expectExactlyOnce(run.destination.url)
                .catch((error: Error) => failures.push(`kill at ${killAt}: ${error.message}`));
            } finally {
              await Promise.all([run.destination.close(), run.proxy.close()]);
            }
          }
        }),
      );
      expect(failures).toEqual([]);
    } finally {
      await source.close();
    }
  }, 600_000);
});
