import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { parsePlan } from '../../src/plan/migration-plan';
import { prepareMigration, runMigration, type RunResult } from '../../src/engine/migration.runner';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { startSandbox } from '../../src/connectors/connector.registry';
import { hubspotCrmSeed } from '../../bench/crm-org';
import { connection, plan, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';

const counts = (result: RunResult) =>
  Object.fromEntries(
    Object.entries(result.entities).map(([entity, c]) => [
      entity,
      {
        created: c.created,
        updated: c.updated,
        unchanged: c.unchanged,
        quarantined: c.quarantined,
        failed: c.failed,
      },
    ]),
  );

describe('a dry run', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  it('writes nothing to WooCommerce and predicts exactly what the real run then does, before and after source changes', async () => {
    const seed = demoShopifySeed({ customers: 30, products: 12, orders: 40 });
    seed.customers[1].email = 'broken';
    const shopify = await shopifySandbox(seed);
    // One customer already exists in the destination: it is matched on email and updated, not created.
    const woo = await wooSandbox({ customers: [{ id: 5, email: seed.customers[0].email }] });
    try {
      const p = plan('dry', connection(shopify, 'shopify'), connection(woo, 'woocommerce'));
      const prepared = await prepareMigration(p);
      const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
      expect(woo.counters().writes).toBe(0);
      expect(predicted).toMatchObject({ dryRun: true, status: 'completed_with_errors' });
      expect(predicted.entities.customers).toMatchObject({
        extracted: 30,
        created: 28,
        updated: 1,
        quarantined: 1,
      });
      expect(predicted.predictions).toHaveLength(82);
      expect(predicted.predictions!.find((r) => r.sourceId === seed.customers[1].id)).toMatchObject({
        outcome: 'quarantined',
        reason: expect.stringMatching(/email/),
      });
      const real = await runMigration(prepared, t.ledger);
      expect(counts(real)).toEqual(counts(predicted));

      // The source changes: one customer edited, one product added. Predict again, then run again.
      [...shopify.store.customers.values()][2].firstName = 'Changed';
      shopify.store.seed({
        products: [
          {
            ...seed.products[0],
            id: 'gid://shopify/Product/99999',
            handle: 'brand-new',
            variants: [
              { sku: 'NEW-1', price: '3.00', selectedOptions: [{ name: 'Title', value: 'Default Title' }] },
            ],
          },
        ],
      });
      const writes = woo.counters().writes;
      const again = await runMigration(prepared, t.ledger, { dryRun: true });
      expect(woo.counters().writes).toBe(writes);
      expect(again.entities.customers).toMatchObject({ updated: 1, unchanged: 28, quarantined: 1 });
      expect(again.entities.products).toMatchObject({ created: 1, unchanged: 12 });
      expect(counts(await runMigration(prepared, t.ledger))).toEqual(counts(again));
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('predicts a Shopify destination as well, writing nothing to it', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 20, products: 8, orders: 25 }));
    const back = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    try {
      const prepared = await prepareMigration(
        plan('back', connection(woo, 'woocommerce'), connection(back, 'shopify')),
      );
      const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
      expect(back.counters().writes).toBe(0);
      expect(predicted.entities.orders).toMatchObject({ created: 25, quarantined: 0 });
      expect(counts(await runMigration(prepared, t.ledger))).toEqual(counts(predicted));
    } finally {
      await Promise.all([woo.close(), back.close()]);
    }
  });

  it('predicts the refusal of an email another record of the run holds in another case, into each destination', async () => {
    const seed = demoShopifySeed({ customers: 12, products: 4, orders: 10 });
    seed.customers[9].email = seed.customers[2].email.toUpperCase();
    const destinations = [
      ['woocommerce', await wooSandbox()],
      ['hubspot', await startSandbox('hubspot', { port: 0 })],
    ] as const;
    // WooCommerce would refuse the second email, so its store gets it behind the API (legacy data).
    const back = await wooStoreFrom(demoShopifySeed({ customers: 12, products: 4, orders: 10 }));
    const wooCustomers = [...back.store.customers.values()];
    wooCustomers[9].email = String(wooCustomers[2].email).toUpperCase();
    const shop = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const shopify = await shopifySandbox(seed);
    try {
      const plans = [
        ...destinations.map(([platform, sandbox]) =>
          plan(`dup-${platform}`, connection(shopify, 'shopify'), connection(sandbox, platform), [
            'customers',
          ]),
        ),
        plan('dup-shopify', connection(back, 'woocommerce'), connection(shop, 'shopify'), ['customers']),
      ];
      for (const p of plans) {
        const prepared = await prepareMigration(p);
        const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
        expect([p.name, predicted.entities.customers]).toMatchObject([p.name, { created: 11, failed: 1 }]);
        const refused = predicted.predictions!.find((r) => r.outcome === 'failed')!;
        expect(refused.reason).toMatch(/holds one customer per email/);
        const real = await runMigration(prepared, t.ledger);
        expect([p.name, counts(real)]).toEqual([p.name, counts(predicted)]);
        const failed = (
          await t.ledger.entityRows((await t.ledger.migrationNamed(p.name))!.id, 'customers')
        ).filter((row) => row.status === 'failed');
        expect(failed.map((row) => row.sourceId)).toEqual([refused.sourceId]);
        // Again, with the first holder now unchanged in the ledger: still foreseen.
        const again = await runMigration(prepared, t.ledger, { dryRun: true });
        expect([p.name, counts(await runMigration(prepared, t.ledger))]).toEqual([p.name, counts(again)]);
      }
    } finally {
      await Promise.all([
        ...destinations.map(([, s]) => s.close()),
        back.close(),
        shop.close(),
        shopify.close(),
      ]);
    }
  });

  it('predicts the refusals of a custom mapping that writes a property or field the destination lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-dry-'));
    /** The shipped outbound mapping plus one field the destination does not have. */
    const withField = (platform: string, type: string, field: string) => {
      const mapping = parse(
        readFileSync(resolve(__dirname, `../../mappings/${platform}/${type}.v1.yaml`), 'utf8'),
      ) as { outbound: { fields: Record<string, unknown> } };
      mapping.outbound.fields[field] = { value: 'gold' };
      const file = join(dir, `${platform}.${type}.yaml`);
      writeFileSync(file, stringify(mapping));
      return { [`${platform}.${type}`]: { file } };
    };
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 8, products: 2, orders: 0 }));
    const hubspot = await startSandbox('hubspot', { port: 0 });
    const crm = await startSandbox('hubspot', {
      port: 0,
      seed: hubspotCrmSeed({ companies: 6, contactsPerCompany: 0, dealsPerCompany: 0 }),
    });
    const org = await startSandbox('salesforce', { port: 0 });
    const cases = [
      // HubSpot refuses a contact carrying a property the portal does not define.
      {
        name: 'no-such-property',
        source: connection(shopify, 'shopify'),
        destination: connection(hubspot, 'hubspot'),
        entity: 'customers',
        mappings: withField('hubspot', 'customer', 'loyalty_tier'),
        count: 8,
        reason: /HubSpot has no "loyalty_tier" property/,
      },
      // Salesforce refuses an Account field the org does not have.
      {
        name: 'no-such-field',
        source: connection(crm, 'hubspot'),
        destination: connection(org, 'salesforce'),
        entity: 'organizations',
        mappings: withField('salesforce', 'organization', 'Loyalty_Tier__c'),
        count: 6,
        reason: /No such column 'Loyalty_Tier__c' on sObject type 'Account'/,
      },
    ];
    try {
      for (const { name, source, destination, entity, mappings, count, reason } of cases) {
        const prepared = await prepareMigration(
          parsePlan({ name, source, destination, entities: [entity], mappings }, process.cwd()),
        );
        const predicted = await runMigration(prepared, t.ledger, { dryRun: true });
        expect([name, predicted.entities[entity]]).toMatchObject([
          name,
          { created: 0, updated: 0, failed: count },
        ]);
        expect(predicted.predictions![0].reason).toMatch(reason);
        expect([name, counts(await runMigration(prepared, t.ledger))]).toEqual([name, counts(predicted)]);
        const rows = await t.ledger.entityRows((await t.ledger.migrationNamed(name))!.id, entity);
        expect(rows.filter((row) => row.status === 'failed')).toHaveLength(count);
      }
    } finally {
      await Promise.all([shopify.close(), hubspot.close(), crm.close(), org.close()]);
    }
  });
});
