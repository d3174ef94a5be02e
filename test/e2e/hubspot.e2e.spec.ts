import { Client } from '@hubspot/api-client';
import { HUBSPOT_FACTS } from '../../connectors/hubspot/hubspot.facts';
import { startHubSpotSandbox } from '../../connectors/hubspot/sandbox/hubspot.sandbox';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { parsePlan } from '../../src/plan/migration-plan';
import { crashMidDealsThenResume } from '../helpers/crash';
import { expectSameGraph, hubspotGraph, hubspotList } from '../helpers/crm-graph';
import { hubspotCrmSeed } from '../../bench/crm-org';
import { type FaultedRequest, startFaultProxy } from '../helpers/fault-proxy';
import { sqliteLedger } from '../helpers/ledger';
import { shopifyList } from '../helpers/shopify-api';
import { connection, migrate, shopifySandbox } from '../helpers/sandboxes';

const SOURCE_ID = HUBSPOT_FACTS.sourceIdProperty;
const hubspot = (sandbox: { url: string }) => ({
  platform: 'hubspot',
  url: sandbox.url,
  credentials: { accessToken: HUBSPOT_FACTS.sandboxAccessToken },
});

/** A shop's customers, products and orders into a HubSpot portal. */
const shopToCrmPlan = (shopify: { url: string }, portal: { url: string }) =>
  parsePlan(
    {
      name: 'shop-to-crm',
      source: connection(shopify, 'shopify'),
      destination: hubspot(portal),
      entities: ['customers', 'products', 'orders'],
    },
    process.cwd(),
  );

describe('Shopify → HubSpot: customers become contacts, orders become deals', () => {
  it('loads each once with its line items and contact, and a re-run creates nothing', async () => {
    const shopify = await shopifySandbox(demoShopifySeed());
    const portal = await startHubSpotSandbox({ port: 0, seed: { currency: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const plan = shopToCrmPlan(shopify, portal);
      const first = await migrate(t.ledger, plan);
      expect(first.problems).toEqual([]);
      const contacts = await hubspotList(portal, 'contacts', ['email', SOURCE_ID]);
      const deals = await hubspotList(
        portal,
        'deals',
        ['dealname', 'amount', SOURCE_ID],
        ['contacts', 'line_items'],
      );
      const shop = demoShopifySeed() as {
        customers: unknown[];
        orders: { id: string; customer: { id: string } | null; lineItems: unknown[] }[];
      };
      expect(contacts).toHaveLength(shop.customers.length);
      expect(new Set(contacts.map((c) => c.properties.email)).size).toBe(contacts.length);
      expect(deals).toHaveLength(shop.orders.length);
      const lineCount = deals.reduce((sum, deal) => sum + (deal.links.line_items ?? []).length, 0);
      expect(lineCount).toBe(shop.orders.reduce((sum, order) => sum + order.lineItems.length, 0));
      // Each deal is linked to the contact of its order's customer (by source id), guests' to none.
      const contactSource = new Map(contacts.map((c) => [c.id, c.properties[SOURCE_ID]]));
      const orderCustomer = new Map(shop.orders.map((order) => [order.id, order.customer?.id]));
      const linked = deals.map((deal) => (deal.links.contacts ?? []).map((id) => contactSource.get(id)));
      expect(linked).toEqual(
        deals.map((deal) => {
          const customer = orderCustomer.get(deal.properties[SOURCE_ID]!);
          return customer ? [customer] : [];
        }),
      );

      const again = await migrate(t.ledger, plan);
      expect(again.entities.customers?.created).toBe(0);
      expect(again.entities.orders?.created).toBe(0);
      expect(await hubspotList(portal, 'deals', ['dealname'])).toHaveLength(deals.length);
      expect(await hubspotList(portal, 'line_items', ['name'])).toHaveLength(lineCount);
    } finally {
      await Promise.all([shopify.close(), portal.close(), t.close()]);
    }
  });
});

describe('Shopify → HubSpot: products and line items, which HubSpot lets hold no unique property', () => {
  it('a create whose reply is lost, then a lost ledger, make no product or line item twice', async () => {
    const shopify = await shopifySandbox(demoShopifySeed({ customers: 12, products: 30, orders: 40 }));
    const portal = await startHubSpotSandbox({ port: 0, seed: { currency: 'EUR' } });
    const creates = (type: string) => (request: FaultedRequest) =>
      request.method === 'POST' && request.path.endsWith(`/objects/${type}/batch/create`);
    const proxy = await startFaultProxy(portal.url, [
      { when: creates('products'), fault: 'lose-reply', every: 1, limit: 1 },
      { when: creates('line_items'), fault: 'lose-reply', every: 1, limit: 1 },
    ]);
    const [first, second] = [await sqliteLedger(), await sqliteLedger()];
    try {
      const lossy = await migrate(first.ledger, shopToCrmPlan(shopify, { url: proxy.url }));
      expect(proxy.injected['lose-reply']).toBe(2);
      expect(lossy.status).toBe('completed');
      // The ledger is gone: a new one, the same plan, straight to the portal.
      const again = await migrate(second.ledger, shopToCrmPlan(shopify, portal));
      expect(again.entities.products).toMatchObject({ created: 0, failed: 0 });
      expect(again.entities.orders).toMatchObject({ created: 0, failed: 0 });

      const products = await hubspotList(portal, 'products', [SOURCE_ID]);
      const sourceProducts = await shopifyList(shopify.url, 'products');
      expect(products).toHaveLength(sourceProducts.length);
      expect(new Set(products.map((p) => p.properties[SOURCE_ID])).size).toBe(products.length);
      const lines = await hubspotList(portal, 'line_items', [SOURCE_ID], ['deals']);
      const sourceLines = (await shopifyList(shopify.url, 'orders')).reduce(
        (sum, order) => sum + (order.lineItems as unknown[]).length,
        0,
      );
      expect(lines).toHaveLength(sourceLines);
      expect(new Set(lines.map((line) => line.properties[SOURCE_ID])).size).toBe(lines.length);
      // Every line item is linked to the one deal it was written for.
      expect(lines.filter((line) => line.links.deals?.length !== 1)).toEqual([]);
      // HubSpot refuses a unique property on these objects: the source id is a plain one there.
      const api = new Client({ accessToken: HUBSPOT_FACTS.sandboxAccessToken, basePath: portal.url });
      const definitions = await Promise.all(
        ['products', 'line_items', 'deals'].map(
          async (type) => (await api.crm.properties.coreApi.getByName(type, SOURCE_ID)).hasUniqueValue,
        ),
      );
      expect(definitions).toEqual([false, false, true]);
    } finally {
      await Promise.all([shopify.close(), portal.close(), proxy.close(), first.close(), second.close()]);
    }
  }, 120_000);
});

describe('Shopify → HubSpot: calls that fill', () => {
  it("loads orders 1,000 at a time, so their line items go 100 to a call, not a page's remainder each", async () => {
    const seed = demoShopifySeed({ customers: 40, products: 20, orders: 1000 });
    const shopify = await shopifySandbox(seed);
    const portal = await startHubSpotSandbox({ port: 0, seed: { currency: 'EUR' } });
    const t = await sqliteLedger();
    try {
      const plan = shopToCrmPlan(shopify, portal);
      expect((await migrate(t.ledger, plan)).status).toBe('completed');
      const lines = (seed.orders as { lineItems: unknown[] }[]).reduce(
        (sum, order) => sum + order.lineItems.length,
        0,
      );
      expect(await hubspotList(portal, 'line_items', ['name'])).toHaveLength(lines);
      const routes = portal.counters().routes ?? {};
      expect(routes['POST /crm/:id/objects/deals/batch/upsert']).toBe(10);
      // One load of all 1,000 orders: the fewest calls the lines fit in (one more for each smaller load).
      expect(routes['POST /crm/:id/objects/line_items/batch/create']).toBe(Math.ceil(lines / 100));
    } finally {
      await Promise.all([shopify.close(), portal.close(), t.close()]);
    }
  });
});

const CRM_ENTITIES = ['users', 'organizations', 'contacts', 'products', 'deals'];
const crmPlan = (source: { url: string }, destination: { url: string }) =>
  parsePlan(
    { name: 'crm-move', source: hubspot(source), destination: hubspot(destination), entities: CRM_ENTITIES },
    process.cwd(),
  );
/** The destination knows two of the source's three owners, under other ids; Carla has no seat there. */
const destinationSeed = () => ({
  currency: 'EUR',
  owners: [
    { id: '601', email: 'ANNA@acme.example', firstName: 'Anna', lastName: 'Jansen' },
    { id: '602', email: 'bram@acme.example', firstName: 'Bram', lastName: 'de Vries' },
  ],
});

describe('HubSpot → HubSpot: a CRM graph', () => {
  const seed = () => hubspotCrmSeed({ companies: 12, contactsPerCompany: 3, dealsPerCompany: 2 });

  it('moves every company, contact, deal and line item once with its associations, and matches owners by email', async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed() });
    const destination = await startHubSpotSandbox({ port: 0, seed: destinationSeed() });
    const t = await sqliteLedger();
    try {
      const first = await migrate(t.ledger, crmPlan(source, destination));
      expect(first.status).toBe('completed_with_errors');
      // Carla is not in the destination: listed, never created, and her records load without an owner.
      expect(first.problems).toEqual([
        expect.objectContaining({
          entity: 'users',
          sourceId: '503',
          reason: expect.stringMatching(/no HubSpot user has the email carla@acme.example/),
        }),
      ]);
      expect(destination.store.owners).toHaveLength(2);
      const carlas = [4, 12, 8].reduce((a, b) => a + b, 0);
      expect(first.warnings).toHaveLength(carlas);
      expect(first.warnings[0].message).toMatch(
        /loaded without its owner: user 503 has no match in the destination/,
      );
      expectSameGraph(await hubspotGraph(source, 'own'), await hubspotGraph(destination, 'source'));

      const companies = await hubspotList(destination, 'companies', [
        'name',
        'hubspot_owner_id',
        'industry',
        'country',
      ]);
      const owners = companies.map((c) => c.properties.hubspot_owner_id);
      expect(owners.filter((o) => o === '601')).toHaveLength(4);
      expect(owners.filter((o) => o === '602')).toHaveLength(4);
      expect(owners.filter((o) => !o)).toHaveLength(4);
      expect(companies[0].properties).toMatchObject({ industry: 'COMPUTER_SOFTWARE', country: 'NL' });

      // A contact moves to another company at the source: the re-run moves it, and creates nothing.
      source.store.dissociate('contacts', '20000', 'companies', '10000');
      source.store.associate('contacts', '20000', 'companies', '10001');
      const again = await migrate(t.ledger, crmPlan(source, destination));
      for (const entity of ['organizations', 'contacts', 'products', 'deals'] as const)
        expect([entity, again.entities[entity]?.created]).toEqual([entity, 0]);
      expect(again.entities.contacts?.updated).toBe(1);
      expectSameGraph(await hubspotGraph(source, 'own'), await hubspotGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 120_000);

  it('killed mid-deals and resumed, creates no deal or line item twice', async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed() });
    const destination = await startHubSpotSandbox({ port: 0, seed: destinationSeed() });
    const t = await sqliteLedger();
    try {
      const resumed = await crashMidDealsThenResume(
        crmPlan(source, destination),
        t.ledger,
        () => destination.store.list('deals', false).length,
      );
      expect(resumed).toMatchObject({ resumed: true });
      expect(resumed.entities.deals).toMatchObject({ created: 24, failed: 0 });
      expectSameGraph(await hubspotGraph(source, 'own'), await hubspotGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 120_000);

  it('with rate limits on, answers 429s with a wait and loads everything', async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed(), rateLimit: true });
    const destination = await startHubSpotSandbox({ port: 0, seed: destinationSeed(), rateLimit: true });
    const t = await sqliteLedger();
    try {
      // Someone else's integration has just used the destination's whole ten-second allowance.
      for (let i = 0; i < HUBSPOT_FACTS.tenSecondlyLimit; i++)
        await fetch(`${destination.url}/crm/v3/owners`, {
          headers: { authorization: `Bearer ${HUBSPOT_FACTS.sandboxAccessToken}` },
        });
      const run = await migrate(t.ledger, crmPlan(source, destination));
      expect(destination.counters().throttled).toBeGreaterThan(0);
      expect(run.problems.map((p) => p.entity)).toEqual(['users']);
      expectSameGraph(await hubspotGraph(source, 'own'), await hubspotGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 120_000);

  it("stops with a clear error when the portal's daily allowance is used up", async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed() });
    const destination = await startHubSpotSandbox({
      port: 0,
      seed: destinationSeed(),
      rateLimit: true,
      dailyLimit: 5,
    });
    const t = await sqliteLedger();
    try {
      await expect(migrate(t.ledger, crmPlan(source, destination))).rejects.toThrow(
        /HubSpot's daily API limit is used up .*resume the run after midnight/,
      );
      expect(destination.counters().throttled).toBe(1);
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  });
});
