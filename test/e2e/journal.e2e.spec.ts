import { startSandbox } from '../../src/connectors/connector.registry';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import type { WriteJournalRow } from '../../src/ledger/ledger.entities';
import type { LedgerRepository } from '../../src/ledger/ledger.repository';
import { hubspotCrmSeed } from '../../bench/crm-org';
import { hubspotList, salesforceAll } from '../helpers/crm-graph';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, crmPlan, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { shopifyList } from '../helpers/shopify-api';
import { wooList } from '../helpers/woo-api';

/**
 * The journal of every write: for one order (or deal) migrated into each destination, the ledger lists the
 * record and every child and link the run wrote, each with the destination id the platform's own API shows;
 * an update's row holds what it overwrote.
 */
async function journalOf(ledger: LedgerRepository, name: string, entity: string, sourceId: string) {
  const migration = (await ledger.migrationNamed(name))!;
  return ledger.journal(migration.id, { entity, sourceId });
}

const ids = (rows: WriteJournalRow[], part: string) =>
  rows
    .filter((row) => row.part === part)
    .map((row) => row.destinationId)
    .sort();

describe('the write journal', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('into WooCommerce: an order and its lines; an update keeps the fields it overwrote', async () => {
    const seed = demoShopifySeed({ customers: 6, products: 4, orders: 5 });
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    try {
      const p = plan('journal-woo', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const prepared = await prepareMigration(p);
      const first = await runMigration(prepared, t.ledger);
      const order = (await wooList(woo.url, 'orders'))[0];
      const sourceId = (order.meta_data as { key: string; value: string }[]).find(
        (m) => m.key === '_switchyard_source_id',
      )!.value;
      const rows = await journalOf(t.ledger, p.name, 'orders', sourceId);
      expect(rows.filter((row) => row.part === 'record')).toEqual([
        expect.objectContaining({ runId: first.runId, destinationId: String(order.id), action: 'created' }),
      ]);
      const items = ['line_items', 'shipping_lines', 'fee_lines'].flatMap((key) =>
        (order[key] as { id: number }[]).map((line) => String(line.id)),
      );
      expect(ids(rows, 'line')).toEqual(items.sort());
      // A variable product's variations are journaled with it.
      const variable = (await wooList(woo.url, 'products')).find((product) => product.type === 'variable')!;
      const variations = await wooList(woo.url, `products/${variable.id}/variations`);
      const productSource = (variable.meta_data as { key: string; value: string }[]).find(
        (m) => m.key === '_switchyard_source_id',
      )!.value;
      expect(ids(await journalOf(t.ledger, p.name, 'products', productSource), 'variant')).toEqual(
        variations.map((v) => String(v.id)).sort(),
      );

      // The source customer changes; the re-run's update keeps what WooCommerce held before.
      const customer = [...shopify.store.customers.values()][0];
      const oldName = customer.firstName as string;
      customer.firstName = 'Renamed';
      const second = await runMigration(prepared, t.ledger);
      const updates = (await journalOf(t.ledger, p.name, 'customers', customer.id as string)).filter(
        (row) => row.runId === second.runId,
      );
      expect(updates).toEqual([
        expect.objectContaining({
          part: 'record',
          action: 'updated',
          before: expect.objectContaining({ first_name: oldName }),
        }),
      ]);
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('into Shopify: an order and its lines, a product and its variants', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 5, products: 4, orders: 4 }));
    const shop = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    try {
      const p = plan('journal-shopify', connection(woo, 'woocommerce'), connection(shop, 'shopify'));
      await runMigration(await prepareMigration(p), t.ledger);
      const migration = (await t.ledger.migrationNamed(p.name))!;
      const row = (await t.ledger.entityRows(migration.id, 'orders'))[0];
      const order = (await shopifyList(shop.url, 'orders')).find((o) => o.id === row.destinationId)!;
      const rows = await journalOf(t.ledger, p.name, 'orders', row.sourceId);
      expect(ids(rows, 'record')).toEqual([order.id]);
      expect(ids(rows, 'line')).toEqual((order.lineItems as { id: string }[]).map((line) => line.id).sort());
      const productRow = (await t.ledger.entityRows(migration.id, 'products'))[0];
      const product = (await shopifyList(shop.url, 'products')).find(
        (x) => x.id === productRow.destinationId,
      )!;
      expect(ids(await journalOf(t.ledger, p.name, 'products', productRow.sourceId), 'variant')).toEqual(
        (product.variants as { id: string }[]).map((variant) => variant.id).sort(),
      );
    } finally {
      await Promise.all([woo.close(), shop.close()]);
    }
  });

  it('into HubSpot: a deal, its line items and its associations', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 5, products: 3, orders: 4 }));
    const portal = await startSandbox('hubspot', { port: 0, seed: { currency: 'EUR' } });
    try {
      const p = plan('journal-hubspot', connection(shopify, 'shopify'), connection(portal, 'hubspot'));
      await runMigration(await prepareMigration(p), t.ledger);
      const deals = await hubspotList(portal, 'deals', ['switchyard_source_id'], ['contacts', 'line_items']);
      const deal = deals.find((d) => (d.links.contacts ?? []).length > 0)!;
      const rows = await journalOf(t.ledger, p.name, 'orders', deal.properties.switchyard_source_id!);
      expect(ids(rows, 'record')).toEqual([deal.id]);
      expect(ids(rows, 'line')).toEqual([...deal.links.line_items].sort());
      const linked = rows.filter((row) => row.part === 'association' && row.action === 'linked');
      expect(linked.map((row) => row.link!.to).sort()).toEqual(
        [...deal.links.line_items, ...deal.links.contacts].sort(),
      );
    } finally {
      await Promise.all([shopify.close(), portal.close()]);
    }
  });

  it('into Salesforce: an opportunity, its lines and contact roles, and a product’s price-book entry', async () => {
    const source = await startSandbox('hubspot', {
      port: 0,
      seed: hubspotCrmSeed({ companies: 3, contactsPerCompany: 2, dealsPerCompany: 1 }),
    });
    const org = await startSandbox('salesforce', { port: 0 });
    try {
      const p = crmPlan('journal-salesforce', connection(source, 'hubspot'), connection(org, 'salesforce'));
      await runMigration(await prepareMigration(p), t.ledger);
      const [opportunity] = await salesforceAll(
        org,
        'SELECT Id, Switchyard_Source_Id__c FROM Opportunity ORDER BY Id LIMIT 1',
      );
      const rows = await journalOf(t.ledger, p.name, 'deals', opportunity.Switchyard_Source_Id__c as string);
      expect(ids(rows, 'record')).toEqual([opportunity.Id]);
      const lines = await salesforceAll(
        org,
        `SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '${opportunity.Id as string}'`,
      );
      const roles = await salesforceAll(
        org,
        `SELECT Id FROM OpportunityContactRole WHERE OpportunityId = '${opportunity.Id as string}'`,
      );
      expect(lines.length + roles.length).toBeGreaterThan(0);
      expect(ids(rows, 'line')).toEqual(lines.map((line) => line.Id as string).sort());
      expect(ids(rows, 'contactRole')).toEqual(roles.map((role) => role.Id as string).sort());
      const [product] = await salesforceAll(
        org,
        'SELECT Id, Switchyard_Source_Id__c FROM Product2 ORDER BY Id LIMIT 1',
      );
      const [entry] = await salesforceAll(
        org,
        `SELECT Id FROM PricebookEntry WHERE Product2Id = '${product.Id as string}'`,
      );
      expect(
        ids(
          await journalOf(t.ledger, p.name, 'products', product.Switchyard_Source_Id__c as string),
          'priceBookEntry',
        ),
      ).toEqual([entry.Id]);
      // Users are matched, never written: nothing in the journal.
      const migration = (await t.ledger.migrationNamed(p.name))!;
      expect((await t.ledger.journal(migration.id, { entity: 'users' })).length).toBe(0);
    } finally {
      await Promise.all([source.close(), org.close()]);
    }
  });
});
