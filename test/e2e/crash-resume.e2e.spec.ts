import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShopifyConnector } from '../../connectors/shopify/shopify.connector';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { runCli } from '../helpers/cli';
import { dyingAfterFirstWrite } from '../helpers/crash';
import type { LedgerRepository } from '../../src/ledger/ledger.repository';
import { postgresLedger, sqliteLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { sourceIds, wooList } from '../helpers/woo-api';

describe('a run killed mid-orders', () => {
  it.each([
    ['paged', 'SQLite', {}],
    // A resumed bulk read starts a new export; the ledger knows what the killed run wrote.
    ['bulk export', 'SQLite', { bulkReadFrom: 0 }],
    // On Postgres a page's commit overlaps the next page's writes: killed with both under way.
    ['paged', 'Postgres', {}],
  ])(
    'SIGKILLed and started again (Shopify read %s, %s ledger), leaves every order in WooCommerce exactly once',
    async (_read, ledgerKind, options) => {
      const shopify = await shopifySandbox(demoShopifySeed());
      const woo = await wooSandbox(undefined, { latencyMs: 15 });
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
      const planFile = join(dir, 'plan.yaml');
      writeFileSync(
        planFile,
        JSON.stringify({
          name: 'crash',
          source: connection(shopify, 'shopify'),
          destination: connection(woo, 'woocommerce'),
          entities: ['customers', 'products', 'orders'],
          options,
        }),
      );
      const postgres = ledgerKind === 'Postgres' ? await postgresLedger() : undefined;
      const env = { DATABASE_URL: postgres?.url ?? `sqlite:${join(dir, 'ledger.db')}` };
      try {
        const killed = await runCli(['migrate', planFile, '--json'], env, (kill) => {
          const timer = setInterval(() => {
            if (woo.store.orders.size >= 100) {
              clearInterval(timer);
              kill();
            }
          }, 5);
        });
        expect(killed.signal).toBe('SIGKILL');
        const ordersAtKill = woo.store.orders.size;
        expect(ordersAtKill).toBeGreaterThanOrEqual(100);
        expect(ordersAtKill).toBeLessThan(320);

        const resumed = await runCli(['migrate', planFile, '--json'], env);
        expect(resumed.code).toBe(0);
        const summary = JSON.parse(resumed.stdout) as {
          status: string;
          entities: Record<string, Record<string, number>>;
        };
        expect(summary.status).toBe('completed');

        const orders = await wooList(woo.url, 'orders');
        expect(orders).toHaveLength(320);
        expect(new Set(sourceIds(orders)).size).toBe(320);
        const customers = await wooList(woo.url, 'customers');
        expect(new Set(customers.map((c) => c.email)).size).toBe(240);
        expect(await wooList(woo.url, 'products')).toHaveLength(60);
      } finally {
        await Promise.all([shopify.close(), woo.close()]);
        await postgres?.close();
      }
    },
    120_000,
  );
});

describe('a crash between a destination write and its ledger rows', () => {
  it('is recovered on WooCommerce by the source id each order carries', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 20, products: 8, orders: 30 }));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const halfPlan = plan('half', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      // Batches of 10: the crash leaves 10 of the 30 orders written and 20 not yet sent.
      halfPlan.options.batchSize = 10;
      const prepared = await prepareMigration(halfPlan);
      await expect(
        runMigration(
          { ...prepared, destination: dyingAfterFirstWrite(prepared.destination, 'orders') },
          t.ledger,
        ),
      ).rejects.toThrow(/simulated crash/);
      expect(woo.store.orders.size).toBe(10);
      const resumed = await runMigration(prepared, t.ledger);
      expect(resumed).toMatchObject({ status: 'completed', resumed: true });
      const orders = await wooList(woo.url, 'orders');
      expect(orders).toHaveLength(30);
      expect(new Set(sourceIds(orders)).size).toBe(30);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });

  it('on Postgres, a page commit that fails while the next page is written stops the run; the re-run writes each order once', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 20, products: 8, orders: 60 }));
    const woo = await wooSandbox(undefined, { latencyMs: 10 });
    const t = await postgresLedger();
    try {
      const p = plan('commit-fails', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      p.options.batchSize = 10;
      const prepared = await prepareMigration(p);
      // The third page of orders never commits; by then the fourth is on its way to WooCommerce.
      let orderCommits = 0;
      const failing = new Proxy(t.ledger, {
        get(target, property, receiver) {
          if (property !== 'commitPage') return Reflect.get(target, property, receiver) as unknown;
          return async (...args: Parameters<LedgerRepository['commitPage']>) => {
            if (args[2] === 'orders' && ++orderCommits === 3) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              throw new Error('simulated ledger failure');
            }
            return target.commitPage(...args);
          };
        },
      });
      expect(t.ledger.commitsOverlap).toBe(true);
      await expect(runMigration(prepared, failing)).rejects.toThrow(/simulated ledger failure/);
      const landed = woo.store.orders.size;
      expect(landed).toBeGreaterThanOrEqual(30);
      expect(landed).toBeLessThan(60);
      const resumed = await runMigration(prepared, t.ledger);
      expect(resumed.status).toBe('completed');
      const orders = await wooList(woo.url, 'orders');
      expect(orders).toHaveLength(60);
      expect(new Set(sourceIds(orders)).size).toBe(60);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });

  it('is recovered on Shopify by the source tag each order carries', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 20, products: 8, orders: 30 }));
    const back = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t2 = await sqliteLedger();
    try {
      const prepared = await prepareMigration(
        plan('back', connection(woo, 'woocommerce'), connection(back, 'shopify')),
      );
      await expect(
        runMigration(
          { ...prepared, destination: dyingAfterFirstWrite(prepared.destination, 'orders') },
          t2.ledger,
        ),
      ).rejects.toThrow(/simulated crash/);
      const landed = back.store.orders.size;
      expect(landed).toBeGreaterThan(0);
      await runMigration(prepared, t2.ledger);
      const api = new ShopifyConnector(back.url, 'shpat_sandbox', { concurrency: 1 });
      expect(await api.count('orders')).toBe(30);
      const names = [...back.store.orders.values()].map((order) => order.name as string);
      expect(new Set(names).size).toBe(30);
    } finally {
      await Promise.all([woo.close(), back.close(), t2.close()]);
    }
  });
});
