import { startHubSpotSandbox } from '../../connectors/hubspot/sandbox/hubspot.sandbox';
import { startSalesforceSandbox } from '../../connectors/salesforce/sandbox/salesforce.sandbox';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { parsePlan } from '../../src/plan/migration-plan';
import { expectSameGraph, hubspotGraph, salesforceGraph } from '../helpers/crm-graph';
import { hubspotCrmSeed, salesforceCrmSeed } from '../../bench/crm-org';
import { type Fault, isWrite, startFaultProxy } from '../helpers/fault-proxy';
import { sqliteLedger } from '../helpers/ledger';
import {
  connection,
  crmPlan,
  migrate,
  plan,
  shopifySandbox,
  wooSandbox,
  wooStoreFrom,
} from '../helpers/sandboxes';
import { shopifyList } from '../helpers/shopify-api';
import { sourceIds, wooList } from '../helpers/woo-api';

const STORE = { customers: 40, products: 12, orders: 60 };

/** Every 4th write is saved by the platform and its reply lost on the way back: 25% of write batches. */
const everyFourthWrite = (fault: Fault) => [{ when: isWrite, fault, every: 4 }];

/** A plan in batches of 10, so a store's entities take several write batches each. */
function smallBatches<T extends ReturnType<typeof parsePlan>>(migrationPlan: T): T {
  return { ...migrationPlan, options: { ...migrationPlan.options, batchSize: 10 } };
}

describe('a write saved by the platform whose reply is lost', () => {
  it.each<Fault>(['lose-reply', 'cut-reply', '502-after'])(
    'into WooCommerce (%s on a quarter of write batches): every record exactly once, exit 0 only then',
    async (fault) => {
      const shopify = await shopifySandbox(demoShopifySeed(STORE));
      const woo = await wooSandbox();
      const proxy = await startFaultProxy(woo.url, everyFourthWrite(fault));
      const t = await sqliteLedger();
      try {
        const lossyPlan = smallBatches(
          plan('lost', connection(shopify, 'shopify'), connection(woo, 'woocommerce', proxy.url)),
        );
        const result = await migrate(t.ledger, lossyPlan);
        expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(5);
        expect(result.status).toBe('completed');
        const orders = await wooList(woo.url, 'orders');
        expect(orders).toHaveLength(STORE.orders);
        expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
        const customers = await wooList(woo.url, 'customers');
        expect(customers).toHaveLength(STORE.customers);
        expect(await wooList(woo.url, 'products')).toHaveLength(STORE.products);
        // Records whose reply was lost were created by this run: the counts say so.
        expect(result.entities.orders).toMatchObject({ created: STORE.orders, failed: 0 });
        expect(result.entities.customers).toMatchObject({ created: STORE.customers, failed: 0 });
        // The same plan on a new ledger, through the same faults: every record adopted, none created.
        const fresh = await sqliteLedger();
        try {
          const again = await migrate(fresh.ledger, lossyPlan);
          expect(again.status).toBe('completed');
          expect(Object.values(again.entities).map((counts) => counts.created)).toEqual([0, 0, 0]);
          expect(await wooList(woo.url, 'orders')).toHaveLength(STORE.orders);
        } finally {
          await fresh.close();
        }
      } finally {
        await Promise.all([shopify.close(), woo.close(), proxy.close(), t.close()]);
      }
    },
    60_000,
  );

  // A real shop's search lags behind its writes: a lost write looked up by search right away is not found.
  it.each([0, 3000])(
    'into Shopify (lost replies on a quarter of mutations, search %i ms behind): every record exactly once',
    async (searchLagMs) => {
      const woo = await wooStoreFrom(demoShopifySeed(STORE));
      const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } }, { searchLagMs });
      const proxy = await startFaultProxy(shopify.url, everyFourthWrite('lose-reply'));
      const t = await sqliteLedger();
      try {
        const result = await migrate(
          t.ledger,
          smallBatches(
            plan('lost-shopify', connection(woo, 'woocommerce'), connection(shopify, 'shopify', proxy.url)),
          ),
        );
        expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(20);
        expect(result.status).toBe('completed');
        const orders = await shopifyList(shopify.url, 'orders');
        expect(orders).toHaveLength(STORE.orders);
        expect(new Set(orders.map((order) => order.sourceIdentifier)).size).toBe(STORE.orders);
        const products = await shopifyList(shopify.url, 'products');
        expect(new Set(products.map((product) => product.handle)).size).toBe(STORE.products);
        expect(products).toHaveLength(STORE.products);
        const customers = await shopifyList(shopify.url, 'customers');
        expect(customers).toHaveLength(STORE.customers);
        // Cancelled source orders are cancelled in Shopify, also when the orderCancel reply was the one lost.
        const cancelledAtSource = (await wooList(woo.url, 'orders')).filter((o) => o.status === 'cancelled');
        expect(cancelledAtSource.length).toBeGreaterThan(0);
        expect(
          orders
            .filter((order) => order.cancelledAt)
            .map((order) => order.sourceIdentifier)
            .sort(),
        ).toEqual(cancelledAtSource.map((order) => String(order.id)).sort());
      } finally {
        await Promise.all([woo.close(), shopify.close(), proxy.close(), t.close()]);
      }
    },
    90_000,
  );

  it.each([
    {
      platform: 'hubspot' as const,
      start: async () => {
        const seed = hubspotCrmSeed({ companies: 8, contactsPerCompany: 3, dealsPerCompany: 2 });
        return [
          await startHubSpotSandbox({ port: 0, seed }),
          await startHubSpotSandbox({ port: 0, seed: { currency: 'EUR' } }),
        ];
      },
      graph: hubspotGraph,
    },
    {
      platform: 'salesforce' as const,
      start: async () => {
        const seed = salesforceCrmSeed({ accounts: 8, contactsPerAccount: 3, dealsPerAccount: 2 });
        return [
          await startSalesforceSandbox({ port: 0, seed }),
          await startSalesforceSandbox({ port: 0, seed: { currency: 'EUR' } }),
        ];
      },
      graph: salesforceGraph,
    },
  ])(
    'into $platform (lost replies on a quarter of writes): the same graph, every record once',
    async ({ platform, start, graph }) => {
      const [source, destination] = await start();
      const proxy = await startFaultProxy(destination.url, everyFourthWrite('lose-reply'));
      const t = await sqliteLedger();
      try {
        const result = await migrate(
          t.ledger,
          smallBatches(
            crmPlan('lost-crm', connection(source, platform), connection(destination, platform, proxy.url)),
          ),
        );
        expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(3);
        expect(result.entities.deals).toMatchObject({ failed: 0, quarantined: 0 });
        expectSameGraph(await graph(source, 'own'), await graph(destination, 'source'));
      } finally {
        await Promise.all([source.close(), destination.close(), proxy.close(), t.close()]);
      }
    },
    90_000,
  );
});
