import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Decimal from 'decimal.js';
import { type ExactSandbox, startExactSandbox } from '../../connectors/exact-online/sandbox/exact.sandbox';
import { estimateCalls } from '../../src/engine/call-estimate';
import { prepareMigration, runMigration, type RunResult } from '../../src/engine/migration.runner';
import type { MigrationPlan } from '../../src/plan/migration-plan';
import { parsePlan } from '../../src/plan/migration-plan';
import { reconcile } from '../../src/reconcile/reconcile';
import { exactCredentials, exactList } from '../helpers/exact-api';
import { startFaultProxy } from '../helpers/fault-proxy';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { platformModule } from '../../src/connectors/connector.registry';
import { LedgerTokenVault } from '../../src/ledger/token-vault';
import { CredentialCipher } from '../../src/security/credential-cipher';
import { RedisVaultLock } from '../../src/service/rate-limit/redis-vault-lock';
import { postgresLedger, sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, wooSandbox, type WooSandbox } from '../helpers/sandboxes';
import { wooList } from '../helpers/woo-api';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const cipher = new CredentialCipher(randomBytes(32).toString('hex'));
const EXAMPLES = resolve(__dirname, '../../examples');
const seed = (file: string) =>
  JSON.parse(readFileSync(resolve(EXAMPLES, file), 'utf8')) as Record<string, unknown>;

function exactPlan(
  woo: WooSandbox,
  exact: ExactSandbox,
  credentials = exactCredentials(exact),
): MigrationPlan {
  return parsePlan(
    {
      name: 'webshop-to-exact',
      source: connection(woo, 'woocommerce'),
      destination: { platform: 'exact-online', url: exact.url, credentials },
      entities: ['customers', 'products', 'orders'],
    },
    process.cwd(),
  );
}

async function run(t: TestLedger, plan: MigrationPlan): Promise<RunResult> {
  return runMigration(await prepareMigration(plan, { vault: t.vault }), t.ledger);
}

const created = (result: RunResult) =>
  Object.fromEntries(Object.entries(result.entities).map(([entity, c]) => [entity, c.created]));

describe('WooCommerce → Exact Online', () => {
  let woo: WooSandbox;
  let exact: ExactSandbox;
  beforeEach(async () => {
    woo = await wooSandbox(seed('woocommerce-seed.json'));
    exact = await startExactSandbox({ port: 0, seed: seed('exact-online-seed.json') });
  });
  afterEach(() => Promise.all([woo.close(), exact.close()]));

  it("lands every order as a sales invoice whose total and VAT equal the order's, through Exact's API", async () => {
    const t = await sqliteLedger();
    try {
      const plan = exactPlan(woo, exact);
      const prepared = await prepareMigration(plan, { vault: t.vault });
      const [estimate] = await estimateCalls(prepared);
      const requests = exact.counters().requests;
      const result = await runMigration(prepared, t.ledger);
      // Said before the run: the calls it needs on Exact, within a tenth of what it made.
      const made = exact.counters().requests - requests;
      expect(estimate).toMatchObject({
        platform: 'exact-online',
        role: 'destination',
        perDay: 5000,
        days: 1,
      });
      expect(Math.abs(estimate.calls - made)).toBeLessThanOrEqual(made / 10);
      const orders = await wooList(woo.url, 'orders');
      const invoices = await exactList(
        exact,
        'sync/SalesInvoice/SalesInvoices',
        'InvoiceID,YourRef,AmountFC,VATAmountFC,OrderedBy',
      );
      const byRef = new Map(invoices.map((invoice) => [String(invoice.YourRef), invoice]));
      const refused = new Map(result.problems.map((problem) => [problem.sourceId, problem.reason]));
      expect(invoices).toHaveLength(byRef.size);
      for (const order of orders) {
        const invoice = byRef.get(String(order.id));
        if (!invoice) {
          // Refused only when Exact's per-line VAT would differ, with both numbers.
          expect(refused.get(String(order.id))).toMatch(
            new RegExp(`the source says ${String(order.total_tax)}`),
          );
          continue;
        }
        expect([order.id, new Decimal(invoice.AmountFC).toFixed(2)]).toEqual([order.id, order.total]);
        expect([order.id, new Decimal(invoice.VATAmountFC).toFixed(2)]).toEqual([order.id, order.total_tax]);
      }
      expect(invoices.length + refused.size).toBe(orders.length);
      expect(invoices.length).toBeGreaterThanOrEqual(orders.length - 2);
      const customers = await wooList(woo.url, 'customers');
      const accounts = await exactList(exact, 'sync/CRM/Accounts', 'ID,Code,Email');
      expect(accounts.filter((account) => String(account.Code).trim() !== 'GUEST')).toHaveLength(
        customers.length,
      );
      expect((await reconcile(await prepareMigration(plan, { vault: t.vault }), t.ledger)).verdict).toBe(
        'pass',
      );

      // The same plan again: its refresh token was used up by the first run; the ledger holds the one Exact
      // rotated to. Nothing is created or written.
      const writes = exact.counters().writes;
      const tokens = exact.tokens();
      const again = await run(t, plan);
      expect(exact.tokens().reused).toBe(tokens.reused);
      expect(created(again)).toEqual({ customers: 0, products: 0, orders: 0 });
      expect(exact.counters().writes).toBe(writes);
    } finally {
      await t.close();
    }
  });

  it('on an empty ledger adopts what Exact holds: nothing created twice', async () => {
    const first = await sqliteLedger();
    const second = await sqliteLedger();
    try {
      const before = await run(first, exactPlan(woo, exact));
      const invoices = (await exactList(exact, 'sync/SalesInvoice/SalesInvoices', 'InvoiceID')).length;
      // A lost ledger lost the token chain too: the app is authorized again.
      const again = await run(second, exactPlan(woo, exact));
      expect(created(before).customers).toBe(40);
      expect(created(again)).toEqual({ customers: 0, products: 0, orders: 0 });
      expect((await exactList(exact, 'sync/SalesInvoice/SalesInvoices', 'InvoiceID')).length).toBe(invoices);
      expect((await exactList(exact, 'sync/CRM/Accounts', 'ID')).length).toBe(41);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('WooCommerce → Exact Online through a network that loses replies', () => {
  it('loses every third invoice reply after Exact saved it, and still holds each order once', async () => {
    const woo = await wooSandbox(seed('woocommerce-seed.json'));
    const exact = await startExactSandbox({ port: 0, seed: seed('exact-online-seed.json') });
    const proxy = await startFaultProxy(exact.url, [
      {
        when: (request) => request.method === 'POST' && request.path.includes('/salesinvoice/SalesInvoices'),
        fault: 'lose-reply',
        every: 3,
      },
    ]);
    const t = await sqliteLedger();
    try {
      const plan = exactPlan(woo, exact);
      plan.destination.url = proxy.url;
      const result = await run(t, plan);
      expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(15);
      const invoices = await exactList(exact, 'sync/SalesInvoice/SalesInvoices', 'InvoiceID,YourRef');
      const refs = invoices.map((invoice) => String(invoice.YourRef));
      expect(new Set(refs).size).toBe(refs.length);
      expect(refs.length + result.problems.length).toBe((await wooList(woo.url, 'orders')).length);
    } finally {
      await Promise.all([woo.close(), exact.close(), proxy.close(), t.close()]);
    }
  });
});

describe("Exact Online's limits", () => {
  it('at 60 calls a minute, stops cleanly when the day’s quota is used up, says when it resumes, and finishes the next day with nothing doubled', async () => {
    const woo = await wooSandbox(seed('woocommerce-seed.json'));
    // Exact's own minute (60 calls) and a day of 90: the run needs more than a day and waits out a minute.
    const exact = await startExactSandbox({
      port: 0,
      seed: seed('exact-online-seed.json'),
      dailyQuota: 90,
      minutelyLimit: 60,
    });
    const t = await sqliteLedger();
    try {
      const plan = exactPlan(woo, exact);
      const stopped = (await run(t, plan).then(
        () => new Error('the run did not stop'),
        (error: unknown) => error,
      )) as Error;
      expect(stopped).toMatchObject({ code: 'PLATFORM_QUOTA' });
      const resumesAt = /after (\S+Z):/.exec(stopped.message)?.[1];
      expect(Date.parse(resumesAt!)).toBeGreaterThan(Date.now());
      expect(exact.counters().throttled).toBe(0);
      exact.rollDay();
      const finished = await run(t, plan);
      expect(finished.status).not.toBe('failed');
      const accounts = await exactList(exact, 'sync/CRM/Accounts', 'ID,Code');
      const invoices = await exactList(exact, 'sync/SalesInvoice/SalesInvoices', 'InvoiceID,YourRef');
      expect(accounts).toHaveLength(41);
      expect(new Set(accounts.map((a) => String(a.Code).trim())).size).toBe(41);
      expect(new Set(invoices.map((i) => i.YourRef)).size).toBe(invoices.length);
      expect(invoices.length + finished.problems.length).toBe((await wooList(woo.url, 'orders')).length);
    } finally {
      await Promise.all([woo.close(), exact.close(), t.close()]);
    }
  }, 240_000);
});

describe("Exact Online's rotating refresh token", () => {
  it('is renewed once for two workers whose access token expired together; both go on', async () => {
    const exact = await startExactSandbox({
      port: 0,
      seed: seed('exact-online-seed.json'),
      tokenSeconds: 36,
    });
    const t = await postgresLedger();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const credentials = exactCredentials(exact);
      // Two workers: each its own connector and vault, sharing the Postgres ledger and a Redis lock.
      const worker = () =>
        platformModule('exact-online').createConnector(
          { platform: 'exact-online', url: exact.url, credentials },
          {
            concurrency: 1,
            vault: new LedgerTokenVault(
              () => Promise.resolve(t.dataSource),
              cipher,
              new RedisVaultLock(redis),
            ),
          },
        );
      const [first, second] = [worker(), worker()];
      await first.check();
      await second.check();
      expect(exact.tokens()).toEqual({ refreshed: 1, reused: 0 });
      // Both access tokens are now within half a minute of expiring: both want a new one at once.
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      const [a, b] = await Promise.all([first.count('customers'), second.count('customers')]);
      expect([a, b]).toEqual([1, 1]);
      expect(exact.tokens()).toEqual({ refreshed: 2, reused: 0 });
    } finally {
      redis.disconnect();
      await Promise.all([exact.close(), t.close()]);
    }
  });
});
