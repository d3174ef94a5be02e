import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSandbox } from '../../src/connectors/connector.registry';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { parsePlan } from '../../src/plan/migration-plan';
import { prepareAudit, runAudit } from '../../src/audit/audit';
import { sqliteLedger } from '../helpers/ledger';
import { connection, shopifySandbox, wooSandbox, wooStoreFrom } from '../helpers/sandboxes';
import { salesforceCrmSeed } from '../../bench/crm-org';

/**
 * A plan's own mapping reads a custom field no shipped mapping knows (a Shopify metafield, a WooCommerce
 * meta key, a HubSpot property, a Salesforce __c field) and its value arrives in the destination, with no
 * connector change: the connectors read what the mappings in use read.
 */
const dir = mkdtempSync(join(tmpdir(), 'switchyard-custom-'));

/** The shipped mapping with one inbound field replaced: the plan's own mapping file. */
function customMapping(platform: string, type: string, field: string, spec: unknown): string {
  const shipped = parse(
    readFileSync(resolve(__dirname, `../../mappings/${platform}/${type}.v1.yaml`), 'utf8'),
  ) as { inbound: { fields: Record<string, unknown> } };
  shipped.inbound.fields[field] = spec;
  const file = join(dir, `${platform}.${type}.yaml`);
  writeFileSync(file, stringify(shipped));
  return file;
}

/** A custom contact property, made through HubSpot's properties API as a portal admin would. */
async function createContactProperty(hubspot: { url: string }, name: string): Promise<void> {
  const created = await fetch(`${hubspot.url}/crm/v3/properties/contacts`, {
    method: 'POST',
    headers: { authorization: 'Bearer hs_sandbox', 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      label: name,
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    }),
  });
  expect(created.status).toBe(201);
}

async function move(
  name: string,
  source: ReturnType<typeof connection>,
  destination: ReturnType<typeof connection>,
  entities: string[],
  mappings: Record<string, { file: string }>,
) {
  const t = await sqliteLedger();
  try {
    const prepared = await prepareMigration(
      parsePlan({ name, source, destination, entities, mappings }, process.cwd()),
    );
    const result = await runMigration(prepared, t.ledger);
    expect([result.status, result.problems]).toEqual(['completed', []]);
  } finally {
    await t.close();
  }
}

describe('custom fields a plan’s own mapping reads', () => {
  it('a Shopify order metafield becomes the WooCommerce order’s note', async () => {
    const seed = demoShopifySeed({ customers: 4, products: 2, orders: 3 });
    (seed.orders[1] as Record<string, unknown>).metafields = {
      nodes: [
        {
          namespace: 'custom',
          key: 'gift_message',
          value: 'Happy birthday, Oma',
          type: 'single_line_text_field',
        },
      ],
    };
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    try {
      await move(
        'metafield',
        connection(shopify, 'shopify'),
        connection(woo, 'woocommerce'),
        ['customers', 'products', 'orders'],
        {
          'shopify.order': {
            file: customMapping('shopify', 'order', 'note', {
              expr: 'metafields.custom.gift_message ? metafields.custom.gift_message : note',
            }),
          },
        },
      );
      const notes = [...woo.store.orders.values()].map((order) => order.customer_note);
      expect(notes).toContain('Happy birthday, Oma');
    } finally {
      await Promise.all([shopify.close(), woo.close()]);
    }
  });

  it('a WooCommerce customer meta key becomes the Shopify customer’s note', async () => {
    const woo = await wooStoreFrom(demoShopifySeed({ customers: 4, products: 1, orders: 0 }));
    const shop = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const customer = [...woo.store.customers.values()][2];
    (customer.meta_data as unknown[]).push({ id: 9001, key: 'loyalty_tier', value: 'gold' });
    try {
      await move('meta', connection(woo, 'woocommerce'), connection(shop, 'shopify'), ['customers'], {
        'woocommerce.customer': {
          file: customMapping('woocommerce', 'customer', 'note', {
            expr: "(meta_data[key = 'loyalty_tier'].value)[0]",
          }),
        },
      });
      const migrated = [...shop.store.customers.values()].find((c) => c.email === customer.email)!;
      expect(migrated.note).toBe('gold');
    } finally {
      await Promise.all([woo.close(), shop.close()]);
    }
  });

  it('a HubSpot contact property becomes the Shopify customer’s note', async () => {
    const hubspot = await startSandbox('hubspot', {
      port: 0,
      seed: {
        currency: 'EUR',
        contacts: [
          {
            id: '501',
            properties: {
              email: 'anna@example.com',
              firstname: 'Anna',
              lastname: 'Smit',
              loyalty_tier: 'silver',
            },
          },
          { id: '502', properties: { email: 'bas@example.com', firstname: 'Bas', lastname: 'Visser' } },
        ],
      },
    });
    const shop = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    // The portal's admin created the property (a read never returns one the portal does not define).
    await createContactProperty(hubspot, 'loyalty_tier');
    try {
      await move('property', connection(hubspot, 'hubspot'), connection(shop, 'shopify'), ['customers'], {
        'hubspot.customer': { file: customMapping('hubspot', 'customer', 'note', 'properties.loyalty_tier') },
      });
      const notes = Object.fromEntries([...shop.store.customers.values()].map((c) => [c.email, c.note]));
      expect(notes).toEqual({ 'anna@example.com': 'silver', 'bas@example.com': null });
    } finally {
      await Promise.all([hubspot.close(), shop.close()]);
    }
  });

  it('a Salesforce __c field becomes the HubSpot company’s domain, and a missing one is a clear error', async () => {
    const seed = salesforceCrmSeed({ accounts: 3, contactsPerAccount: 0, dealsPerAccount: 0 }) as Record<
      string,
      unknown
    >;
    seed.customFields = { Account: [{ name: 'Web_Domain__c' }] };
    const accounts = seed.Account as Record<string, unknown>[];
    accounts.forEach((account, index) => (account.Web_Domain__c = `shop${index}.example.nl`));
    const salesforce = await startSandbox('salesforce', { port: 0, seed });
    const hubspot = await startSandbox('hubspot', { port: 0 });
    try {
      const mappings = {
        'salesforce.organization': {
          file: customMapping('salesforce', 'organization', 'domain', { path: 'Web_Domain__c' }),
        },
      };
      await move(
        'custom-field',
        connection(salesforce, 'salesforce'),
        connection(hubspot, 'hubspot'),
        ['organizations'],
        mappings,
      );
      const response = await fetch(`${hubspot.url}/crm/v3/objects/companies?properties=domain&limit=100`, {
        headers: { authorization: 'Bearer hs_sandbox' },
      });
      const companies = ((await response.json()) as { results: { properties: { domain: string } }[] })
        .results;
      expect(companies.map((c) => c.properties.domain).sort()).toEqual([
        'shop0.example.nl',
        'shop1.example.nl',
        'shop2.example.nl',
      ]);

      const missing = {
        'salesforce.organization': {
          file: customMapping('salesforce', 'organization', 'domain', { path: 'Web_Domian__c' }),
        },
      };
      await expect(
        move(
          'custom-field-typo',
          connection(salesforce, 'salesforce'),
          connection(hubspot, 'hubspot'),
          ['organizations'],
          missing,
        ),
      ).rejects.toThrow(/reads Account\.Web_Domian__c, which this Salesforce org does not have/);
    } finally {
      await Promise.all([salesforce.close(), hubspot.close()]);
    }
  });
});

describe('the audit’s unmapped fields', () => {
  it('lists a CRM’s custom fields no mapping reads, and stops listing one a plan’s mapping reads', async () => {
    const seed = salesforceCrmSeed({ accounts: 2, contactsPerAccount: 0, dealsPerAccount: 0 }) as Record<
      string,
      unknown
    >;
    seed.customFields = { Account: [{ name: 'Region__c' }, { name: 'Web_Domain__c' }] };
    const salesforce = await startSandbox('salesforce', { port: 0, seed });
    const hubspot = await startSandbox('hubspot', { port: 0 });
    const woo = await wooSandbox();
    try {
      const audit = async (mappings: Record<string, { file: string }>) => {
        const plan = parsePlan(
          {
            name: 'unmapped',
            source: connection(salesforce, 'salesforce'),
            destination: connection(hubspot, 'hubspot'),
            entities: ['organizations'],
            mappings,
          },
          process.cwd(),
        );
        return (await runAudit(plan, await prepareAudit(plan))).entities.organizations.unmapped;
      };
      const shipped = await audit({});
      expect(shipped).toEqual(expect.arrayContaining(['Region__c', 'Web_Domain__c']));
      expect(shipped).not.toContain('Name');
      const custom = await audit({
        'salesforce.organization': {
          file: customMapping('salesforce', 'organization', 'domain', { path: 'Web_Domain__c' }),
        },
      });
      expect(custom).toContain('Region__c');
      expect(custom).not.toContain('Web_Domain__c');

      // HubSpot as a source: a custom contact property, unmapped until read.
      await createContactProperty(hubspot, 'loyalty_tier');
      const plan = parsePlan(
        {
          name: 'unmapped-hs',
          source: connection(hubspot, 'hubspot'),
          destination: connection(woo, 'woocommerce'),
          entities: ['customers'],
        },
        process.cwd(),
      );
      const contacts = (await runAudit(plan, await prepareAudit(plan))).entities.customers.unmapped;
      expect(contacts).toContain('properties.loyalty_tier');
      expect(contacts).not.toContain('properties.email');
    } finally {
      await Promise.all([salesforce.close(), hubspot.close(), woo.close()]);
    }
  });
});
