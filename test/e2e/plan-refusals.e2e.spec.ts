import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { type CliRun, runCli } from '../helpers/cli';
import { type ShopifySandbox, shopifySandbox, type WooSandbox, wooSandbox } from '../helpers/sandboxes';

/** A secret a careless template would break on: quotes of both kinds, a backslash and a line break. */
const SECRET = `cs_"it's"\\a\nsecret: {x}`;

describe('plans that cannot be right are refused before anything runs', () => {
  let shopify: ShopifySandbox;
  let woo: WooSandbox;
  let dir: string;
  beforeAll(async () => {
    shopify = await shopifySandbox(demoShopifySeed({ customers: 5, products: 2, orders: 5 }));
    woo = await wooSandbox(undefined, { credentials: { consumerKey: 'ck_sandbox', consumerSecret: SECRET } });
    dir = mkdtempSync(join(tmpdir(), 'switchyard-plans-'));
  });
  afterAll(() => Promise.all([shopify.close(), woo.close()]));

  const woocommerce = () => ({
    platform: 'woocommerce',
    url: woo.url,
    credentials: { consumerKey: 'ck_sandbox', consumerSecret: '${WC_SECRET}' },
  });
  const shop = () => ({
    platform: 'shopify',
    url: shopify.url,
    credentials: { accessToken: 'shpat_sandbox' },
  });

  async function migrate(plan: object | string): Promise<CliRun> {
    const file = join(dir, `plan-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, typeof plan === 'string' ? plan : JSON.stringify(plan));
    return runCli(['migrate', file, '--json'], {
      WC_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'ledger.db')}`,
    });
  }

  function expectRefused(run: CliRun, message: RegExp) {
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Nothing was written/);
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(JSON.stringify(SECRET).slice(1, -1));
      expect(output).not.toContain("it's");
    }
  }

  it('refuses a destination that is the source itself, with exit 2 and no write', async () => {
    const writes = woo.store.writes;
    const run = await migrate({
      name: 'self',
      source: woocommerce(),
      destination: woocommerce(),
      entities: ['customers'],
    });
    expectRefused(run, /destination: the destination is the source itself/);
    expect(woo.store.writes).toBe(writes);
  });

  it('refuses an entity named twice, and cleaning rules and mappings for entities the plan does not move', async () => {
    const run = await migrate({
      name: 'twice',
      source: shop(),
      destination: woocommerce(),
      entities: ['customers', 'customers'],
      cleaning: { orders: { skip: [{ field: 'financialStatus', equals: 'voided' }] } },
      mappings: { 'woocommerce.order': 1, 'hubspot.customer': 1 },
    });
    expectRefused(run, /entities\.1: "customers" is listed twice/);
    expect(run.stderr).toMatch(/cleaning\.orders: the plan does not move orders/);
    expect(run.stderr).toMatch(/mappings\.woocommerce\.order: the plan moves no order records/);
    expect(run.stderr).toMatch(
      /mappings\.hubspot\.customer: hubspot is neither the source nor the destination/,
    );
  });

  it('refuses a rate limit that says neither how it refills nor over what window, or says both', async () => {
    const limited = (rateLimit: object) =>
      migrate({
        name: 'limits',
        source: shop(),
        destination: { ...woocommerce(), rateLimit },
        entities: ['customers'],
      });
    for (const rateLimit of [{ capacity: 50 }, { capacity: 50, windowMs: 1000, refillPerSecond: 50 }])
      expectRefused(
        await limited(rateLimit),
        /destination\.rateLimit: set refillPerSecond \(points refilled a second\) or windowMs/,
      );
    expectRefused(await limited({ capacity: -1, windowMs: 1000 }), /destination\.rateLimit\.capacity/);
  });

  it('never prints a secret holding quotes and line breaks, whatever fails', async () => {
    // Not YAML at all, after the secret's line.
    const broken = `name: broken\nsource: { platform: shopify, url: ${shopify.url} }\ndestination: { platform: woocommerce, url: ${woo.url}, credentials: { consumerSecret: '\${WC_SECRET}' } }\nentities: [customers\n`;
    expectRefused(await migrate(broken), /not valid YAML/);
    // Valid YAML, invalid plan: a value out of bounds next to the secret.
    expectRefused(
      await migrate({
        name: 'bounds',
        source: shop(),
        destination: woocommerce(),
        entities: ['customers'],
        options: { batchSize: 100_000 },
      }),
      /options\.batchSize/,
    );
    // A platform that refuses the keys: the message names the problem, not the secret.
    expectRefused(
      await migrate({
        name: 'refused',
        source: shop(),
        destination: {
          ...woocommerce(),
          credentials: { consumerKey: SECRET, consumerSecret: '${WC_SECRET}' },
        },
        entities: ['customers'],
      }),
      /WooCommerce refused the API keys/,
    );
  });

  it('refuses moving the books without a cut-off date and a transitional account, or with a date that is none', async () => {
    const books = (options: object) => ({
      name: 'books',
      source: {
        platform: 'exact-online',
        url: shopify.url,
        credentials: { clientId: 'a', clientSecret: 'b', refreshToken: 'c' },
      },
      destination: { platform: 'afas', url: woo.url, credentials: { token: 't' } },
      entities: ['ledgerAccounts', 'organizations', 'openingBalances', 'openItems'],
      options,
    });
    const missing = await migrate(books({}));
    expectRefused(missing, /options\.cutoffDate: openingBalances are the books at a cut-off date/);
    expect(missing.stderr).toMatch(
      /options\.openingBalanceAccount: openItems are booked in the destination against a transitional account/,
    );
    expectRefused(
      await migrate(books({ cutoffDate: '2026-02-30', openingBalanceAccount: '0999' })),
      /options\.cutoffDate: is not a calendar date/,
    );
  });
});
