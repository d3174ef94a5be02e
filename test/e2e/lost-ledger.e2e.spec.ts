import { startHubSpotSandbox } from '../../connectors/hubspot/sandbox/hubspot.sandbox';
import { startSalesforceSandbox } from '../../connectors/salesforce/sandbox/salesforce.sandbox';
import { demoShopifySeed } from '../../src/demo/demo-store';
import type { RunResult } from '../../src/engine/migration.runner';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import type { MigrationPlan } from '../../src/plan/migration-plan';
import { dyingAfterFirstWrite } from '../helpers/crash';
import { expectSameGraph, hubspotGraph, salesforceGraph } from '../helpers/crm-graph';
import { hubspotCrmSeed, salesforceCrmSeed } from '../../bench/crm-org';
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
import { sourceIds, wooList } from '../helpers/woo-api';

const STORE = { customers: 30, products: 10, orders: 40 };

/** Runs a plan to completion, then again on a brand-new ledger (a deleted .switchyard/, a second machine). */
async function twiceWithLostLedger(migrationPlan: MigrationPlan): Promise<[RunResult, RunResult]> {
  const first = await sqliteLedger();
  const second = await sqliteLedger();
  try {
    const before = await migrate(first.ledger, migrationPlan);
    const again = await migrate(second.ledger, migrationPlan);
    return [before, again];
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
}

function createdByEntity(result: RunResult): Record<string, number> {
  return Object.fromEntries(Object.entries(result.entities).map(([entity, c]) => [entity, c.created]));
}

describe('the ledger lost after a complete run, the plan run again', () => {
  it('into WooCommerce: 0 created, every record still once', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(STORE));
    const woo = await wooSandbox();
    try {
      const [first, again] = await twiceWithLostLedger(
        plan('lost-ledger', connection(shopify, 'shopify'), connection(woo, 'woocommerce')),
      );
      expect(createdByEntity(first)).toEqual(STORE);
      expect(createdByEntity(again)).toEqual({ customers: 0, products: 0, orders: 0 });
      expect(again.status).toBe('completed');
      const orders = await wooList(woo.url, 'orders');
      expect(orders).toHaveLength(STORE.orders);
      expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
      expect(await wooList(woo.url, 'customers')).toHaveLength(STORE.customers);
      expect(await wooList(woo.url, 'products')).toHaveLength(STORE.products);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('into Shopify: 0 created', async () => {
    const woo = await wooStoreFrom(demoShopifySeed(STORE));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    try {
      const [first, again] = await twiceWithLostLedger(
        plan('lost-ledger', connection(woo, 'woocommerce'), connection(shopify, 'shopify')),
      );
      expect(createdByEntity(first)).toEqual(STORE);
      expect(createdByEntity(again)).toEqual({ customers: 0, products: 0, orders: 0 });
      expect(shopify.store.orders.size).toBe(STORE.orders);
      expect(shopify.store.customers.size).toBe(STORE.customers);
      expect(shopify.store.products.size).toBe(STORE.products);
    } finally {
      await Promise.all([woo.close(), shopify.close()]);
    }
  });

  it.each([
    {
      platform: 'hubspot' as const,
      start: async () => [
        await startHubSpotSandbox({
          port: 0,
          seed: hubspotCrmSeed({ companies: 6, contactsPerCompany: 2, dealsPerCompany: 2 }),
        }),
        await startHubSpotSandbox({ port: 0, seed: { currency: 'EUR' } }),
      ],
      graph: hubspotGraph,
    },
    {
      platform: 'salesforce' as const,
      start: async () => [
        await startSalesforceSandbox({
          port: 0,
          seed: salesforceCrmSeed({ accounts: 6, contactsPerAccount: 2, dealsPerAccount: 2 }),
        }),
        await startSalesforceSandbox({ port: 0, seed: { currency: 'EUR' } }),
      ],
      graph: salesforceGraph,
    },
  ])('into $platform: 0 created, the same graph', async ({ platform, start, graph }) => {
    const [source, destination] = await start();
    try {
      const [, again] = await twiceWithLostLedger(
        crmPlan('lost-ledger', connection(source, platform), connection(destination, platform)),
      );
      expect(Object.values(createdByEntity(again)).every((created) => created === 0)).toBe(true);
      expectSameGraph(await graph(source, 'own'), await graph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });
});

describe('a crash after a saved batch, a second crash during its recovery, then a resume', () => {
  it('leaves every order in WooCommerce once: the recovery lookup has no time window', async () => {
    const shopify = await shopifySandbox(demoShopifySeed(STORE));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const prepared = await prepareMigration({
        ...plan('double-crash', connection(shopify, 'shopify'), connection(woo, 'woocommerce')),
        options: {
          unreachableImages: 'warn',
          overLongText: 'quarantine',
          batchSize: 10,
          concurrency: 2,
          dryRun: false,
          deltaOverlapMinutes: 5,
          deleteLimitPercent: 10,
        },
      });
      const crash = () =>
        runMigration(
          { ...prepared, destination: dyingAfterFirstWrite(prepared.destination, 'orders') },
          t.ledger,
        );
      await expect(crash()).rejects.toThrow(/simulated crash/);
      expect(woo.store.orders.size).toBe(10);
      // Hours pass: the pending marks grow old; nothing in the lookup depends on when they were made.
      await t.dataSource.query(`UPDATE ledger_record SET updated_at = '2020-01-01T00:00:00.000Z'`);
      await expect(crash()).rejects.toThrow(/simulated crash/);
      expect(woo.store.orders.size).toBe(10);
      const resumed = await runMigration(prepared, t.ledger);
      expect(resumed.status).toBe('completed');
      const orders = await wooList(woo.url, 'orders');
      expect(orders).toHaveLength(STORE.orders);
      expect(new Set(sourceIds(orders)).size).toBe(STORE.orders);
      expect(resumed.entities.orders?.created).toBe(STORE.orders);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});
