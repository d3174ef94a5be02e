import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSalesforceSandbox } from '../../connectors/salesforce/sandbox/salesforce.sandbox';
import { startSandbox } from '../../src/connectors/connector.registry';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { reconcile } from '../../src/reconcile/reconcile';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { hubspotCrmSeed, salesforceCrmSeed } from '../../bench/crm-org';
import { connection, crmPlan, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { startFaultProxy } from '../helpers/fault-proxy';
import { wooList } from '../helpers/woo-api';
import { shopifyList } from '../helpers/shopify-api';
import { rollbackRun } from '../../src/engine/rollback';

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
      p.deletes = { customers: 'delete' };
      const prepared = await prepareMigration(p);
      const full = await runMigration(prepared, t.ledger);
      expect(full).toMatchObject({ kind: 'full', status: 'completed' });
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const mark = (await t.ledger.watermark(migration.id, 'customers'))!;
      expect(mark).toMatch(/^\d{4}-\d{2}-\d{2}T/);

      // The merchant keeps trading: 10 customers edited, 3 new ones, all stamped after the mark, and 2
      // customers without orders deleted.
      const later = new Date(Date.parse(mark) + 60 * 60_000).toISOString();
      const customers = [...shopify.store.customers.values()];
      const buyers = new Set(seed.orders.map((order) => order.customer?.id));
      const deleted = customers.filter((customer) => !buyers.has(customer.id as string)).slice(-2);
      expect(deleted).toHaveLength(2);
      for (const customer of deleted) shopify.store.customers.delete(Number(customer.legacyResourceId));
      for (const customer of customers.filter((c) => !deleted.includes(c)).slice(0, 10)) {
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
      expect(delta.entities.customers).toMatchObject({ created: 3, updated: 10, deleted: 2, failed: 0 });
      // Only what changed was read: what the overlap re-read came out unchanged, and the rest was not read.
      expect(delta.entities.customers.extracted).toBeLessThan(customers.length);
      expect(delta.entities.products).toMatchObject({ created: 0, updated: 0 });
      expect(delta.entities.orders).toMatchObject({ created: 0, updated: 0 });
      expect(woo.counters().writes - writes).toBe(15);
      const emails = (await wooList(woo.url, 'customers')).map((c) => c.email as string);
      expect(emails).toHaveLength(31);
      for (const customer of deleted) expect(emails).not.toContain(customer.email);
      const journal = await t.ledger.journal(migration.id, { runId: delta.runId, entity: 'customers' });
      expect(journal.filter((row) => row.action === 'deleted')).toHaveLength(2);
      expect(journal.find((row) => row.action === 'deleted')!.before).toMatchObject({
        email: expect.any(String),
      });
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
      expect(await t.ledger.watermark(migration.id, 'customers')).toBe(later.replace(/\.\d+Z$/, '.000Z'));

      // A record stamped a second before the mark (a clock running behind) is read again by the overlap.
      const laggard = customers.filter((c) => !deleted.includes(c))[20];
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

describe('source deletes', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('delete nothing when more are gone than the plan allows, or when the source read is cut short', async () => {
    const seed = demoShopifySeed({ customers: 30, products: 1, orders: 0 });
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    // When cut short, every customer read after the first page fails: the id list a delete needs never completes.
    let customerReads = 0;
    const proxy = await startFaultProxy(shopify.url, [
      {
        when: (request) => cutShort && request.body.includes('SwitchyardCustomers') && ++customerReads > 1,
        fault: '502-before',
        every: 1,
      },
    ]);
    let cutShort = false;
    try {
      const p = plan('deletes', connection(shopify, 'shopify', proxy.url), connection(woo, 'woocommerce'), [
        'customers',
      ]);
      p.deletes = { customers: 'delete' };
      p.options.batchSize = 10;
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      expect(await wooList(woo.url, 'customers')).toHaveLength(30);

      // Five of thirty gone (17%): above the 10% limit, the run stops and says why; nothing is deleted.
      for (const customer of [...shopify.store.customers.values()].slice(0, 5))
        shopify.store.customers.delete(Number(customer.legacyResourceId));
      await expect(runMigration(prepared, t.ledger)).rejects.toThrow(
        /5 of the 30 customers loaded before are gone from the source \(17%\), more than the plan's limit of 10%: nothing was deleted/,
      );
      expect(await wooList(woo.url, 'customers')).toHaveLength(30);

      // Allowed now, but the source's id list is cut short after its first page: still nothing is deleted.
      p.options.deleteLimitPercent = 50;
      customerReads = 0;
      cutShort = true;
      await expect(runMigration(prepared, t.ledger)).rejects.toThrow();
      expect(await wooList(woo.url, 'customers')).toHaveLength(30);

      // The source answers in full again: the five go, and only they.
      cutShort = false;
      const result = await runMigration(prepared, t.ledger);
      expect(result.entities.customers).toMatchObject({ deleted: 5, created: 0 });
      expect(await wooList(woo.url, 'customers')).toHaveLength(25);
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
    } finally {
      await Promise.all([proxy.close(), shopify.close(), woo.close()]);
    }
  }, 60_000);
});

describe('a source delete whose reply is lost', () => {
  it('is looked at again in the same run, which deletes nothing twice and leaves reconcile passing', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 20, products: 1, orders: 0 }));
    const woo = await wooSandbox();
    // WooCommerce deletes the customers, and the reply never comes back.
    const proxy = await startFaultProxy(woo.url, [
      {
        when: (request) => request.method === 'POST' && request.body.includes('"delete"'),
        fault: 'lose-reply',
        every: 1,
        limit: 1,
      },
    ]);
    const t = await sqliteLedger();
    try {
      const p = plan(
        'lost-delete',
        connection(shopify, 'shopify'),
        connection(woo, 'woocommerce', proxy.url),
        ['customers'],
      );
      p.deletes = { customers: 'delete' };
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      const gone = [...shopify.store.customers.values()].slice(0, 2);
      for (const customer of gone) shopify.store.customers.delete(Number(customer.legacyResourceId));
      // The batch delete's reply is lost after WooCommerce saved it: the run looks, finds them gone, and counts
      // them deleted once, without sending a delete again.
      const writes = woo.counters().writes;
      const again = await runMigration(prepared, t.ledger);
      expect(proxy.lostAfterSave).toBe(1);
      expect(again).toMatchObject({ status: 'completed', warnings: [] });
      expect(again.entities.customers).toMatchObject({ deleted: 2, created: 0 });
      expect(woo.counters().writes - writes).toBe(2);
      expect(await wooList(woo.url, 'customers')).toHaveLength(18);
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const rows = await t.ledger.entityRows(migration.id, 'customers');
      expect(
        rows
          .filter((row) => row.status === 'deleted')
          .map((row) => row.sourceId)
          .sort(),
      ).toEqual(gone.map((customer) => customer.id as string).sort());
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
      expect((await runMigration(prepared, t.ledger)).entities.customers).toMatchObject({ deleted: 0 });
    } finally {
      await Promise.all([proxy.close(), shopify.close(), woo.close(), t.close()]);
    }
  }, 60_000);
});

describe('a CRM delta run, Salesforce → HubSpot', () => {
  it('reads only the accounts changed since the last run, on SystemModstamp, and reconcile passes', async () => {
    const source = await startSalesforceSandbox({
      port: 0,
      seed: salesforceCrmSeed({ accounts: 6, contactsPerAccount: 2, dealsPerAccount: 1 }),
    });
    const destination = await startSandbox('hubspot', {
      port: 0,
      seed: JSON.parse(
        readFileSync(resolve(__dirname, '../../examples/hubspot-destination-seed.json'), 'utf8'),
      ),
    });
    const t = await sqliteLedger();
    try {
      const p = crmPlan('crm-delta', connection(source, 'salesforce'), connection(destination, 'hubspot'));
      // No overlap: exactly what changed after the mark is read.
      p.options.deltaOverlapMinutes = 0;
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      // Two accounts edited in Salesforce after the run (each edit stamps SystemModstamp).
      for (const account of source.store.live('Account').slice(0, 2))
        source.store.update('Account', account.Id, { Phone: '+31 20 555 0101' });
      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta.entities.organizations).toMatchObject({ extracted: 2, updated: 2, created: 0 });
      for (const entity of ['contacts', 'products', 'deals'])
        expect([entity, delta.entities[entity].extracted]).toEqual([entity, 0]);
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  });
});

describe('a source delete the destination refuses', () => {
  it('keeps a Shopify customer who has orders, says so in the run, and deletes the rest', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 8, products: 2, orders: 4 }));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const p = plan('refused-delete', connection(woo, 'woocommerce'), connection(shopify, 'shopify'));
      p.deletes = { customers: 'delete' };
      p.options.deleteLimitPercent = 50;
      const prepared = await prepareMigration(p);
      expect((await runMigration(prepared, t.ledger)).status).toBe('completed');
      // In the old shop, through its own API: a customer with orders and one without are deleted.
      const orders = await wooList(woo.url, 'orders');
      const customers = await wooList(woo.url, 'customers');
      const buyer = customers.find((c) => orders.some((o) => o.customer_id === c.id))!;
      const browser = customers.find((c) => !orders.some((o) => o.customer_id === c.id))!;
      for (const customer of [buyer, browser]) {
        const response = await fetch(
          `${woo.url}/wp-json/wc/v3/customers/${customer.id}?force=true&consumer_key=ck_sandbox&consumer_secret=cs_sandbox`,
          { method: 'DELETE' },
        );
        expect(response.status).toBe(200);
      }
      const again = await runMigration(prepared, t.ledger);
      expect(again.status).toBe('completed');
      expect(again.entities.customers).toMatchObject({ deleted: 1, failed: 0 });
      expect(again.warnings).toEqual([
        {
          entity: 'customers',
          sourceId: String(buyer.id),
          message: expect.stringMatching(
            /deleted in the source, kept in the destination: shopify refused to delete it: .*associated orders/,
          ),
        },
      ]);
      const emails = (await shopifyList(shopify.url, 'customers')).map((c) => c.email as string);
      expect(emails).toContain(buyer.email);
      expect(emails).not.toContain(browser.email);
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});

describe('source deletes archived in the destination', () => {
  it('moves a product deleted in Shopify to the WooCommerce trash, and a rollback brings it back', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 6, products: 6, orders: 0 }));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const p = plan('archive', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), ['products']);
      p.deletes = { products: 'archive' };
      p.options.deleteLimitPercent = 20;
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      const before = await wooList(woo.url, 'products');
      expect(before).toHaveLength(6);
      const [leaving] = await shopifyList(shopify.url, 'products');
      await prepared.source.delete('products', [leaving.id as string]);

      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta.entities.products).toMatchObject({ deleted: 1, failed: 0 });
      const listed = await wooList(woo.url, 'products');
      expect(listed).toHaveLength(5);
      const trashed = (await (
        await fetch(
          `${woo.url}/wp-json/wc/v3/products?status=trash&consumer_key=ck_sandbox&consumer_secret=cs_sandbox`,
        )
      ).json()) as Record<string, unknown>[];
      expect(trashed.map((product) => product.name)).toEqual([leaving.title]);
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const journal = await t.ledger.journal(migration.id, { runId: delta.runId });
      expect(journal.map((row) => row.action)).toEqual(['archived']);
      expect(journal[0].before).toMatchObject({ status: 'publish' });
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');

      const undone = await rollbackRun(prepared, t.ledger, delta.runId);
      expect(undone).toMatchObject({ status: 'completed', kept: [], failed: [] });
      expect(undone.reversed).toMatchObject([{ undo: 'restore', destinationId: String(trashed[0].id) }]);
      expect((await wooList(woo.url, 'products')).map((product) => product.id).sort()).toEqual(
        before.map((product) => product.id).sort(),
      );
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });

  it('is refused before anything is written where the destination cannot archive', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 2, products: 1, orders: 0 }));
    const woo = await wooSandbox();
    try {
      const p = plan('no-archive', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
      ]);
      p.deletes = { customers: 'archive' };
      await expect(prepareMigration(p)).rejects.toThrow(
        'deletes.customers: woocommerce cannot archive customers (it can archive products, orders); use delete (the record is removed there) or ignore',
      );
      expect(woo.counters().writes).toBe(0);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });
});

describe("a delta run's source deletes from the platform's own feed", () => {
  /** The source's reads of an entity without a modified-since: a full id scan, which a feed makes needless. */
  function fullReads(prepared: Awaited<ReturnType<typeof prepareMigration>>, entity: string): string[] {
    const scans: string[] = [];
    const read = prepared.source.read.bind(prepared.source);
    prepared.source.read = (name, options) => {
      if (name === entity && !options.modifiedSince) scans.push(name);
      return read(name, options);
    };
    return scans;
  }

  it.each([
    ['salesforce', 'hubspot'],
    ['hubspot', 'salesforce'],
  ] as const)(
    '%s → %s: a contact deleted in the source is deleted, found without reading every id',
    async (from, to) => {
      const seeds = {
        salesforce: salesforceCrmSeed({ accounts: 5, contactsPerAccount: 3, dealsPerAccount: 1 }),
        hubspot: hubspotCrmSeed({ companies: 5, contactsPerCompany: 3, dealsPerCompany: 1 }),
      };
      const destinationSeeds = {
        hubspot: JSON.parse(
          readFileSync(resolve(__dirname, '../../examples/hubspot-destination-seed.json'), 'utf8'),
        ),
        salesforce: JSON.parse(
          readFileSync(resolve(__dirname, '../../examples/salesforce-destination-seed.json'), 'utf8'),
        ),
      };
      const source = await startSandbox(from, { port: 0, seed: seeds[from] });
      const destination = await startSandbox(to, { port: 0, seed: destinationSeeds[to] });
      const t = await sqliteLedger();
      try {
        const p = crmPlan(`feed-${from}`, connection(source, from), connection(destination, to));
        p.deletes = { contacts: 'delete' };
        const prepared = await prepareMigration(p);
        await runMigration(prepared, t.ledger);
        const migration = (await t.ledger.migrationNamed(p.name))!;
        const loaded = (await t.ledger.entityRows(migration.id, 'contacts')).filter(
          (row) => row.status === 'loaded',
        );
        // A contact on no deal is deleted through the source's own API.
        const journal = await t.ledger.journal(migration.id, { entity: 'deals' });
        const onDeals = new Set(journal.filter((row) => row.link).map((row) => row.link!.to));
        const leaving = loaded.find((row) => !onDeals.has(row.destinationId!))!;
        await prepared.source.delete('contacts', [leaving.sourceId]);

        const scans = fullReads(prepared, 'contacts');
        const delta = await runMigration(prepared, t.ledger, { delta: true });
        expect(delta.entities.contacts).toMatchObject({ deleted: 1, failed: 0 });
        expect(scans).toEqual([]);
        const gone = await prepared.destination.fetch('contacts', [leaving.destinationId!]);
        expect(gone).toEqual([]);
        expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
      } finally {
        await Promise.all([source.close(), destination.close(), t.close()]);
      }
    },
  );
});

describe('a repair run', () => {
  it('rewrites a record deleted and one edited in the destination, after which reconcile passes', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 12, products: 3, orders: 0 }));
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const p = plan('repair', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), ['customers']);
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      // Behind Switchyard's back, through WooCommerce's API: one customer deleted, another renamed.
      const [gone, edited] = await wooList(woo.url, 'customers');
      await prepared.destination.delete('customers', [String(gone.id)]);
      await prepared.destination.upsert('customers', [
        { sourceId: 'x', destinationId: String(edited.id), payload: { first_name: 'Someone Else' } },
      ]);
      const before = await reconcile(prepared, t.ledger);
      expect(before.verdict).toBe('fail');
      // A plain re-run finds nothing changed in the source and repairs nothing.
      expect((await runMigration(prepared, t.ledger)).entities.customers).toMatchObject({ unchanged: 12 });
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('fail');

      const predicted = await runMigration(prepared, t.ledger, { repair: true, dryRun: true });
      expect(predicted.entities.customers).toMatchObject({ extracted: 2, created: 1, updated: 1 });
      const repaired = await runMigration(prepared, t.ledger, { repair: true });
      expect(repaired).toMatchObject({ kind: 'repair', status: 'completed' });
      expect(repaired.entities.customers).toMatchObject({ extracted: 2, created: 1, updated: 1 });
      const after = await wooList(woo.url, 'customers');
      expect(after).toHaveLength(12);
      expect(after.find((c) => c.id === edited.id)!.first_name).not.toBe('Someone Else');
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });

  it('points the orders of a customer it wrote anew at the new customer, in the same repair', async () => {
    const seed = demoShopifySeed({ customers: 8, products: 3, orders: 12 });
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const p = plan('repair-references', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      // A customer with orders deleted behind Switchyard's back: its orders still name its old id.
      const orders = await wooList(woo.url, 'orders');
      const buyer = orders[0].customer_id as number;
      await prepared.destination.delete('customers', [String(buyer)]);
      const repaired = await runMigration(prepared, t.ledger, { repair: true });
      expect(repaired.entities.customers).toMatchObject({ created: 1 });
      const theirs = orders.filter((order) => order.customer_id === buyer).length;
      expect(repaired.entities.orders).toMatchObject({ updated: theirs });
      expect((await reconcile(prepared, t.ledger)).verdict).toBe('pass');
    } finally {
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});
