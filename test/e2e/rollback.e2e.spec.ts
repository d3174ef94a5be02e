import { Client } from '@hubspot/api-client';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HUBSPOT_FACTS } from '../../connectors/hubspot/hubspot.facts';
import { startSalesforceSandbox } from '../../connectors/salesforce/sandbox/salesforce.sandbox';
import { startSandbox } from '../../src/connectors/connector.registry';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { rollbackRun } from '../../src/engine/rollback';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { hubspotList, salesforceAll } from '../helpers/crm-graph';
import { hubspotCrmSeed, salesforceCrmSeed } from '../../bench/crm-org';
import { connection, crmPlan, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { shopifyGraphql, shopifyList } from '../helpers/shopify-api';
import { isWrite, startFaultProxy } from '../helpers/fault-proxy';
import { wooList } from '../helpers/woo-api';

type Row = Record<string, any>;

/** What WooCommerce holds, through its own API: every resource, by a key that survives a re-create. */
async function wooState(url: string): Promise<Record<string, Record<string, Row>>> {
  const state: Record<string, Record<string, Row>> = {};
  for (const [resource, key] of [
    ['customers', 'email'],
    ['products', 'sku'],
    ['orders', 'number'],
  ] as const) {
    state[resource] = {};
    for (const record of await wooList(url, resource)) {
      const products = resource === 'products' && record.type === 'variable';
      state[resource][String(record[key] || record.name)] = comparable<Row>({
        ...record,
        ...(products ? { variations: await wooList(url, `products/${record.id}/variations`) } : {}),
      });
    }
  }
  return state;
}

/** A record without what the platform stamps on each write (ids of a re-created record, times, links). */
function comparable<T>(value: T): T {
  if (Array.isArray(value)) return value.map(comparable) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Row)
        .filter(
          ([key]) =>
            ![
              'id',
              'date_modified',
              'date_modified_gmt',
              'date_created',
              'date_created_gmt',
              '_links',
            ].includes(key),
        )
        .map(([key, inner]) => [key, comparable(inner)]),
    ) as T;
  return value;
}

/**
 * What a HubSpot portal holds, through its own API: every object of the types a CRM migration writes, named by
 * the source id written on it (or, for the portal's own, its id), with every property the portal defines but
 * the ones it stamps on each write, and its associations by the same names.
 */
async function hubspotState(sandbox: { url: string }): Promise<Record<string, Record<string, Row>>> {
  const api = new Client({ accessToken: HUBSPOT_FACTS.sandboxAccessToken, basePath: sandbox.url });
  const types = ['companies', 'contacts', 'deals', 'line_items'];
  const listed: Record<string, Awaited<ReturnType<typeof hubspotList>>> = {};
  const names = new Map<string, string>();
  for (const type of types) {
    const properties = (await api.crm.properties.coreApi.getAll(type)).results
      .map((property) => property.name)
      .filter((name) => !/lastmodified|createdate|hs_object_id/.test(name));
    listed[type] = await hubspotList(
      sandbox,
      type,
      properties,
      types.filter((to) => to !== type),
    );
    for (const object of listed[type])
      names.set(
        `${type}:${object.id}`,
        object.properties[HUBSPOT_FACTS.sourceIdProperty] ?? `own ${object.id}`,
      );
  }
  const state: Record<string, Record<string, Row>> = {};
  for (const type of types) {
    state[type] = {};
    for (const object of listed[type])
      state[type][names.get(`${type}:${object.id}`)!] = {
        properties: Object.fromEntries(
          Object.entries(object.properties).filter(
            // The source id property's definition stays in the portal (the migration made it; it holds nothing now).
            ([name]) =>
              name !== HUBSPOT_FACTS.sourceIdProperty && !/lastmodified|createdate|hs_object_id/.test(name),
          ),
        ),
        links: Object.fromEntries(
          Object.entries(object.links).map(([to, ids]) => [
            to,
            ids.map((id) => names.get(`${to}:${id}`)).sort(),
          ]),
        ),
      };
  }
  return state;
}

describe('rollback of a run', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('Shopify → WooCommerce: undoing a delta gives the store after the full run; undoing the full run, the store before it', async () => {
    const seed = demoShopifySeed({ customers: 30, products: 8, orders: 20 });
    const shopify = await shopifySandbox(seed);
    // The store already trades: two customers and a product of its own must come through untouched.
    const woo = await wooSandbox({
      customers: [
        { email: 'own.one@store.example', first_name: 'Own', last_name: 'One' },
        { email: 'own.two@store.example', first_name: 'Own', last_name: 'Two' },
      ],
      products: [{ name: 'House blend', sku: 'HOUSE-1', regular_price: '4.50' }],
    });
    try {
      const p = plan('rollback', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      p.deletes = { customers: 'delete' };
      const prepared = await prepareMigration(p);
      const before = await wooState(woo.url);
      const full = await runMigration(prepared, t.ledger);
      expect(full.status).toBe('completed');
      const afterFull = await wooState(woo.url);
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const mark = (await t.ledger.watermark(migration.id, 'customers'))!;

      // The source trades on: 10 customers edited, 3 new, 2 deleted, a product repriced.
      const later = new Date(Date.parse(mark) + 60 * 60_000).toISOString();
      const customers = [...shopify.store.customers.values()];
      const buyers = new Set(seed.orders.map((order) => order.customer?.id));
      const deleted = customers.filter((customer) => !buyers.has(customer.id as string)).slice(-2);
      for (const customer of deleted) shopify.store.customers.delete(Number(customer.legacyResourceId));
      for (const customer of customers.filter((c) => !deleted.includes(c)).slice(0, 10)) {
        customer.firstName = `Edited ${String(customer.firstName)}`;
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
      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta.entities.customers).toMatchObject({ created: 3, updated: 10, deleted: 2 });
      expect(await wooState(woo.url)).not.toEqual(afterFull);

      // A dry run lists what it would undo and writes nothing.
      const writes = woo.counters().writes;
      const preview = await rollbackRun(prepared, t.ledger, delta.runId, { dryRun: true });
      expect(preview.entities.customers).toEqual({ reversed: 15, kept: 0, failed: 0 });
      expect(woo.counters().writes).toBe(writes);

      const undoDelta = await rollbackRun(prepared, t.ledger, delta.runId);
      expect(undoDelta).toMatchObject({ status: 'completed', undoes: delta.runId, kept: [], failed: [] });
      expect(undoDelta.entities.customers).toEqual({ reversed: 15, kept: 0, failed: 0 });
      expect(
        Object.fromEntries(
          ['delete', 'restore', 'recreate'].map((undo) => [
            undo,
            undoDelta.reversed.filter((e) => e.undo === undo).length,
          ]),
        ),
      ).toEqual({ delete: 3, restore: 10, recreate: 2 });
      expect(await wooState(woo.url)).toEqual(afterFull);
      // The delta no longer counts: the next delta starts from the full run's mark and brings the edits again.
      expect((await t.ledger.run(delta.runId))!.status).toBe('rolled_back');
      expect(await t.ledger.watermark(migration.id, 'customers')).toBe(mark);

      // Rolling back again finds everything undone already, and writes nothing.
      const again = await rollbackRun(prepared, t.ledger, delta.runId);
      expect(again.entities.customers.failed).toBe(0);
      expect(woo.counters().writes).toBe(writes + 15);

      const undoFull = await rollbackRun(prepared, t.ledger, full.runId);
      expect(undoFull).toMatchObject({ status: 'completed', kept: [], failed: [] });
      expect(undoFull.entities).toEqual({
        orders: { reversed: 20, kept: 0, failed: 0 },
        products: { reversed: 8, kept: 0, failed: 0 },
        customers: { reversed: 30, kept: 0, failed: 0 },
      });
      expect(await wooState(woo.url)).toEqual(before);

      // Nothing of the migration is left in the ledger's view: running it again creates everything anew.
      const rerun = await runMigration(prepared, t.ledger);
      expect(rerun.status).toBe('completed');
      expect(rerun.entities.customers).toMatchObject({ created: 31, updated: 0 });
      expect(rerun.entities.orders).toMatchObject({ created: 20, updated: 0 });
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('Salesforce → HubSpot: undoing a delta gives the portal after the full run; undoing the full run, the portal before it', async () => {
    const source = await startSalesforceSandbox({
      port: 0,
      seed: salesforceCrmSeed({ accounts: 6, contactsPerAccount: 2, dealsPerAccount: 1 }),
    });
    const destination = await startSandbox('hubspot', {
      port: 0,
      seed: {
        ...JSON.parse(
          readFileSync(resolve(__dirname, '../../examples/hubspot-destination-seed.json'), 'utf8'),
        ),
        // The portal's own records, which the migration must leave as they are.
        companies: [{ properties: { name: 'Portal Own BV', domain: 'portal-own.example' } }],
      },
    });
    try {
      const p = crmPlan('crm-rollback', connection(source, 'salesforce'), connection(destination, 'hubspot'));
      p.deletes = { contacts: 'delete' };
      p.options.deltaOverlapMinutes = 0;
      const prepared = await prepareMigration(p);
      const before = await hubspotState(destination);
      expect(Object.keys(before.companies)).toHaveLength(1);
      const full = await runMigration(prepared, t.ledger);
      // One Salesforce user has no HubSpot user by email: the portal's users are matched, never created.
      expect(full.problems.map((problem) => problem.entity)).toEqual(['users']);
      const afterFull = await hubspotState(destination);

      // Salesforce trades on: two accounts and an opportunity edited, a contact added, one without deals deleted.
      const accounts = source.store.live('Account');
      for (const account of accounts.slice(0, 2))
        source.store.update('Account', account.Id, {
          Phone: '+31 20 555 0101',
          Name: `${String(account.Name)} Holding`,
        });
      const opportunity = source.store.live('Opportunity')[0];
      source.store.update('Opportunity', opportunity.Id, { Name: `${String(opportunity.Name)} (renewed)` });
      source.store.insert('Contact', {
        FirstName: 'Nieuwe',
        LastName: 'Klant',
        Email: 'nieuwe.klant@example.com',
        AccountId: accounts[0].Id,
      });
      const roles = new Set(source.store.live('OpportunityContactRole').map((role) => role.ContactId));
      const leaving = source.store.live('Contact').find((contact) => !roles.has(contact.Id))!;
      source.store.remove(leaving.Id);
      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta.entities.organizations).toMatchObject({ updated: 2 });
      expect(delta.entities.contacts).toMatchObject({ created: 1, deleted: 1 });
      expect(await hubspotState(destination)).not.toEqual(afterFull);

      const undoDelta = await rollbackRun(prepared, t.ledger, delta.runId);
      expect(undoDelta).toMatchObject({ status: 'completed', kept: [], failed: [] });
      expect(await hubspotState(destination)).toEqual(afterFull);

      const undoFull = await rollbackRun(prepared, t.ledger, full.runId);
      expect(undoFull).toMatchObject({ status: 'completed', kept: [], failed: [] });
      expect(await hubspotState(destination)).toEqual(before);
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('keeps a record edited in the destination after the run, and goes on where it stopped when run again', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 12, products: 2, orders: 0 }));
    const woo = await wooSandbox();
    try {
      const p = plan('rollback-kept', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
      ]);
      const prepared = await prepareMigration(p);
      const full = await runMigration(prepared, t.ledger);
      // Someone in the shop renames a migrated customer, through WooCommerce's own API.
      const [edited] = await wooList(woo.url, 'customers');
      await prepared.destination.upsert('customers', [
        { sourceId: 'shop', destinationId: String(edited.id), payload: { first_name: 'Renamed In Shop' } },
      ]);

      // Stopped at once (as Ctrl-C does), then run again: it resumes its own run and finishes.
      const stopped = await rollbackRun(prepared, t.ledger, full.runId, { signal: AbortSignal.abort() });
      expect(stopped.status).toBe('interrupted');
      expect(await wooList(woo.url, 'customers')).toHaveLength(12);
      const undone = await rollbackRun(prepared, t.ledger, full.runId);
      expect(undone).toMatchObject({ resumed: true, runId: stopped.runId, status: 'completed' });
      expect(undone.entities.customers).toEqual({ reversed: 11, kept: 1, failed: 0 });
      // The rollback run's own counts, in the ledger, are those of the attempt that finished: 11 deleted, 1 kept.
      expect(await t.ledger.runEntity(undone.runId!, 'customers')).toMatchObject({
        status: 'completed',
        deleted: 11,
        unchanged: 1,
        failed: 0,
      });
      expect(undone.kept[0]).toMatchObject({
        destinationId: String(edited.id),
        undo: 'delete',
        reason: expect.stringContaining('changed in the destination'),
      });
      const left = await wooList(woo.url, 'customers');
      expect(left.map((customer) => customer.first_name)).toEqual(['Renamed In Shop']);

      // --force undoes it too.
      const forced = await rollbackRun(prepared, t.ledger, full.runId, { force: true });
      expect(forced.entities.customers).toMatchObject({ kept: 0, failed: 0 });
      expect(await wooList(woo.url, 'customers')).toHaveLength(0);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('refuses a run of another migration, a dry run, and a rollback, before anything is undone', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 3, products: 1, orders: 0 }));
    const woo = await wooSandbox();
    try {
      const p = plan('rollback-refusals', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
      ]);
      const prepared = await prepareMigration(p);
      const dry = await runMigration(prepared, t.ledger, { dryRun: true });
      const full = await runMigration(prepared, t.ledger);
      await expect(rollbackRun(prepared, t.ledger, 'no-such-run')).rejects.toThrow(
        new RegExp(`not a run of migration "rollback-refusals"[^]*${full.runId}`),
      );
      await expect(rollbackRun(prepared, t.ledger, dry.runId)).rejects.toThrow(/dry run/);
      const undone = await rollbackRun(prepared, t.ledger, full.runId);
      await expect(rollbackRun(prepared, t.ledger, undone.runId!)).rejects.toThrow(/itself a rollback/);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it("honours the destination's delete rules: Shopify keeps a customer who placed an order since, and says why", async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 6, products: 2, orders: 4 }));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    try {
      const p = plan('rollback-rules', connection(woo, 'woocommerce'), connection(shopify, 'shopify'));
      const prepared = await prepareMigration(p);
      const full = await runMigration(prepared, t.ledger);
      expect(full.status).toBe('completed');
      // After the switch, the shop takes an order from a migrated customer, through Shopify's own API.
      const [buyer] = await shopifyList(shopify.url, 'customers');
      const created = await shopifyGraphql<{
        data: { orderCreate: { order: { id: string } | null; userErrors: unknown[] } };
      }>(
        shopify.url,
        'mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } userErrors { message } } }',
        {
          order: {
            currency: 'EUR',
            customer: { toAssociate: { id: buyer.id } },
            lineItems: [
              {
                title: 'Gift card',
                quantity: 1,
                priceSet: { shopMoney: { amount: '25.00', currencyCode: 'EUR' } },
              },
            ],
          },
        },
      );
      expect(created.data.orderCreate.userErrors).toEqual([]);

      const undone = await rollbackRun(prepared, t.ledger, full.runId);
      expect(undone.entities.orders).toEqual({ reversed: 4, kept: 0, failed: 0 });
      expect(undone.entities.customers).toEqual({ reversed: 5, kept: 1, failed: 0 });
      expect(undone.kept[0]).toMatchObject({
        destinationId: buyer.id,
        undo: 'delete',
        reason: expect.stringMatching(/shopify refused to delete it: .*associated orders/),
      });
      const left = await shopifyList(shopify.url, 'orders');
      expect(left.map((order) => order.id)).toEqual([created.data.orderCreate.order!.id]);
      expect((await shopifyList(shopify.url, 'customers')).map((customer) => customer.id)).toEqual([
        buyer.id,
      ]);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('WooCommerce → Shopify: undoing a delta restores what it updated, in the shape Shopify takes', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 8, products: 3, orders: 4 }));
    const shopify = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    try {
      const p = plan('rollback-into-shopify', connection(woo, 'woocommerce'), connection(shopify, 'shopify'));
      p.options.deltaOverlapMinutes = 0;
      const prepared = await prepareMigration(p);
      expect((await runMigration(prepared, t.ledger)).status).toBe('completed');
      const state = async () => ({
        customers: (await shopifyList(shopify.url, 'customers')).map(({ updatedAt: _u, ...c }) => c),
        products: (await shopifyList(shopify.url, 'products')).map(({ updatedAt: _u, variants, ...c }) => ({
          ...c,
          variants: (variants as Row[]).map(({ updatedAt: _v, ...v }) => v),
        })),
      });
      const afterFull = await state();
      // In the old shop, through its own API, a second later: two customers renamed, a product repriced.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const api = (path: string, body: object) =>
        fetch(`${woo.url}/wp-json/wc/v3/${path}?consumer_key=ck_sandbox&consumer_secret=cs_sandbox`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const customers = await wooList(woo.url, 'customers');
      for (const customer of customers.slice(0, 2))
        expect((await api(`customers/${customer.id}`, { first_name: 'Renamed' })).status).toBe(200);
      const simple = (await wooList(woo.url, 'products')).find((product) => product.type === 'simple')!;
      expect((await api(`products/${simple.id}`, { regular_price: '77.00' })).status).toBe(200);
      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta.entities.customers).toMatchObject({ updated: 2 });
      expect(delta.entities.products).toMatchObject({ updated: 1 });
      expect(await state()).not.toEqual(afterFull);

      const undone = await rollbackRun(prepared, t.ledger, delta.runId);
      expect(undone).toMatchObject({ status: 'completed', kept: [], failed: [] });
      expect(await state()).toEqual(afterFull);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('HubSpot → Salesforce: undoing the full run leaves the org as it was, lines and roles included', async () => {
    const source = await startSandbox('hubspot', {
      port: 0,
      seed: hubspotCrmSeed({ companies: 4, contactsPerCompany: 2, dealsPerCompany: 1 }),
    });
    const destination = await startSandbox('salesforce', {
      port: 0,
      seed: JSON.parse(
        readFileSync(resolve(__dirname, '../../examples/salesforce-destination-seed.json'), 'utf8'),
      ),
    });
    try {
      const p = crmPlan(
        'crm-rollback-sf',
        connection(source, 'hubspot'),
        connection(destination, 'salesforce'),
      );
      const prepared = await prepareMigration(p);
      const org = async () =>
        Object.fromEntries(
          await Promise.all(
            [
              'Account',
              'Contact',
              'Opportunity',
              'OpportunityLineItem',
              'OpportunityContactRole',
              'Product2',
              'PricebookEntry',
            ].map(
              async (object) =>
                [object, (await salesforceAll(destination, `SELECT Id FROM ${object}`)).length] as const,
            ),
          ),
        );
      const before = await org();
      const full = await runMigration(prepared, t.ledger);
      expect(full.status).not.toBe('failed');
      expect((await org()).Opportunity).toBeGreaterThan(before.Opportunity);
      const undone = await rollbackRun(prepared, t.ledger, full.runId);
      expect(undone).toMatchObject({ kept: [], failed: [] });
      expect(await org()).toEqual(before);
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('doubles nothing when every reply is lost after the destination saved an undo: run again, it finishes', async () => {
    const seed = demoShopifySeed({ customers: 16, products: 2, orders: 0 });
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    try {
      const p = plan('rollback-lossy', connection(shopify, 'shopify'), connection(woo, 'woocommerce'), [
        'customers',
      ]);
      p.deletes = { customers: 'delete' };
      p.options.deleteLimitPercent = 25;
      const prepared = await prepareMigration(p);
      await runMigration(prepared, t.ledger);
      const afterFull = await wooState(woo.url);
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const later = new Date(
        Date.parse((await t.ledger.watermark(migration.id, 'customers'))!) + 3_600_000,
      ).toISOString();
      const customers = [...shopify.store.customers.values()];
      for (const customer of customers.slice(-3))
        shopify.store.customers.delete(Number(customer.legacyResourceId));
      for (const customer of customers.slice(0, 4))
        Object.assign(customer, { firstName: 'Edited', updatedAt: later });
      shopify.store.seed({
        customers: [0, 1, 2].map((i) => ({
          email: `new.${i}@example.com`,
          lastName: `New ${i}`,
          createdAt: later,
          updatedAt: later,
        })),
      });
      const delta = await runMigration(prepared, t.ledger, { delta: true });
      expect(delta.entities.customers).toMatchObject({ created: 3, updated: 4, deleted: 3 });

      // Every write the rollback sends is saved by WooCommerce and its reply lost: deletes, restores, re-creates.
      const proxy = await startFaultProxy(woo.url, [{ when: isWrite, fault: 'lose-reply', every: 1 }]);
      try {
        const lossy = await prepareMigration(
          plan(p.name, connection(shopify, 'shopify'), connection(woo, 'woocommerce', proxy.url), [
            'customers',
          ]),
        );
        const first = await rollbackRun(lossy, t.ledger, delta.runId);
        expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(3);
        expect(first.status).toBe('completed_with_errors');
        expect(new Set(first.failed.map((entry) => entry.undo))).toEqual(new Set(['restore', 'recreate']));
      } finally {
        await proxy.close();
      }
      // Run again on a sound line: what was saved is found done, the rest is done, nothing twice.
      const again = await rollbackRun(prepared, t.ledger, delta.runId);
      expect(again).toMatchObject({ status: 'completed', kept: [], failed: [] });
      expect(await wooState(woo.url)).toEqual(afterFull);
      const emails = (await wooList(woo.url, 'customers')).map((customer) => customer.email as string);
      expect(emails).toHaveLength(16);
      expect(new Set(emails).size).toBe(16);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });
});
