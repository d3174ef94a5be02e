import { startFaultProxy } from '../helpers/fault-proxy';
import { startHubSpotSandbox } from '../../connectors/hubspot/sandbox/hubspot.sandbox';
import { HUBSPOT_FACTS } from '../../connectors/hubspot/hubspot.facts';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { SALESFORCE_FACTS, salesforceId } from '../../connectors/salesforce/salesforce.facts';
import { startSalesforceSandbox } from '../../connectors/salesforce/sandbox/salesforce.sandbox';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { parsePlan } from '../../src/plan/migration-plan';
import { crashMidDealsThenResume } from '../helpers/crash';
import {
  expectSameGraph,
  hubspotGraph,
  hubspotList,
  salesforceAll,
  salesforceGraph,
} from '../helpers/crm-graph';
import { hubspotCrmSeed, salesforceCrmSeed } from '../../bench/crm-org';
import { sqliteLedger } from '../helpers/ledger';
import { migrate } from '../helpers/sandboxes';

const ENTITIES = ['users', 'organizations', 'contacts', 'products', 'deals'];
const salesforce = (sandbox: { url: string }) => ({
  platform: 'salesforce',
  url: sandbox.url,
  credentials: { accessToken: SALESFORCE_FACTS.sandboxAccessToken },
});
const hubspot = (sandbox: { url: string }) => ({
  platform: 'hubspot',
  url: sandbox.url,
  credentials: { accessToken: HUBSPOT_FACTS.sandboxAccessToken },
});
const crmPlan = (source: object, destination: object) =>
  parsePlan({ name: 'crm-switch', source, destination, entities: ENTITIES }, process.cwd());
/** Anna and Bram have seats in the destination (Anna under a differently-cased email); Carla has none. */
const hubspotOwners = () => ({
  currency: 'EUR',
  owners: [
    { id: '601', email: 'ANNA@acme.example', firstName: 'Anna', lastName: 'Jansen' },
    { id: '602', email: 'bram@acme.example', firstName: 'Bram', lastName: 'de Vries' },
  ],
});
const salesforceUsers = () => ({
  currency: 'EUR',
  User: [
    { Id: salesforceId('User', 7), Username: 'anna@new.sf', Email: 'ANNA@acme.example', LastName: 'Jansen' },
    {
      Id: salesforceId('User', 8),
      Username: 'bram@new.sf',
      Email: 'bram@acme.example',
      LastName: 'de Vries',
    },
  ],
});

describe('Salesforce → HubSpot', () => {
  const seed = () => salesforceCrmSeed({ accounts: 12, contactsPerAccount: 3, dealsPerAccount: 2 });

  it('moves the graph once, owners by email, with both sandboxes rate-limited, and a re-run creates nothing', async () => {
    const source = await startSalesforceSandbox({ port: 0, seed: seed(), rateLimit: true });
    const destination = await startHubSpotSandbox({ port: 0, seed: hubspotOwners(), rateLimit: true });
    const t = await sqliteLedger();
    try {
      // Someone else's integration has just used the portal's whole ten-second allowance.
      for (let i = 0; i < HUBSPOT_FACTS.tenSecondlyLimit; i++)
        await fetch(`${destination.url}/crm/v3/owners`, {
          headers: { authorization: `Bearer ${HUBSPOT_FACTS.sandboxAccessToken}` },
        });
      const first = await migrate(t.ledger, crmPlan(salesforce(source), hubspot(destination)));
      expect(first.problems).toEqual([
        expect.objectContaining({
          entity: 'users',
          sourceId: salesforceId('User', 3),
          reason: expect.stringMatching(/no HubSpot user has the email carla@acme.example/),
        }),
      ]);
      // Carla owns every third account, with its 3 contacts and 2 deals: listed, loaded without an owner.
      expect(first.warnings).toHaveLength(4 * (1 + 3 + 2));
      expectSameGraph(await salesforceGraph(source, 'own'), await hubspotGraph(destination, 'source'));
      expect(destination.counters().throttled).toBeGreaterThan(0);
      expect(source.counters().throttled).toBe(0);

      const companies = await hubspotList(destination, 'companies', [
        'hubspot_owner_id',
        'industry',
        'country',
        'domain',
      ]);
      expect(companies.map((c) => c.properties.hubspot_owner_id ?? null).sort()).toEqual(
        [...Array(4).fill('601'), ...Array(4).fill('602'), ...Array(4).fill(null)].sort(),
      );
      expect(companies[0].properties).toMatchObject({
        industry: 'COMPUTER_SOFTWARE',
        country: 'NL',
        domain: 'account1.example',
      });
      const lines = await hubspotList(destination, 'line_items', [
        'hs_sku',
        'price',
        'quantity',
        'hs_product_id',
      ]);
      expect(lines[0].properties).toMatchObject({ hs_sku: 'LIC-1', price: '100', quantity: '1' });

      const again = await migrate(t.ledger, crmPlan(salesforce(source), hubspot(destination)));
      for (const entity of ['organizations', 'contacts', 'products', 'deals'] as const)
        expect([entity, again.entities[entity]?.created]).toEqual([entity, 0]);
      expectSameGraph(await salesforceGraph(source, 'own'), await hubspotGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 180_000);
});

describe('HubSpot → Salesforce', () => {
  const seed = () => hubspotCrmSeed({ companies: 12, contactsPerCompany: 3, dealsPerCompany: 2 });

  it('moves the graph once, matches owners by email, and a re-run creates nothing', async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed() });
    const destination = await startSalesforceSandbox({ port: 0, seed: salesforceUsers() });
    const t = await sqliteLedger();
    try {
      const first = await migrate(t.ledger, crmPlan(hubspot(source), salesforce(destination)));
      expect(first.problems).toEqual([
        expect.objectContaining({
          entity: 'users',
          sourceId: '503',
          reason: expect.stringMatching(/no Salesforce user has the email carla@acme.example/),
        }),
      ]);
      expect(first.warnings).toHaveLength(4 + 12 + 8);
      expectSameGraph(await hubspotGraph(source, 'own'), await salesforceGraph(destination, 'source'));

      const accounts = await salesforceAll(
        destination,
        'SELECT OwnerId, Industry, BillingCountry, Website FROM Account',
      );
      const owners = accounts.map((a) => a.OwnerId);
      expect(owners.filter((o) => o === salesforceId('User', 7))).toHaveLength(4);
      expect(owners.filter((o) => o === salesforceId('User', 8))).toHaveLength(4);
      expect(accounts[0]).toMatchObject({
        Industry: 'Technology',
        BillingCountry: 'NL',
        Website: 'company1.example',
      });
      const deals = await salesforceAll(destination, 'SELECT Amount, StageName, CloseDate FROM Opportunity');
      expect(deals[0]).toMatchObject({ Amount: 300, StageName: 'Prospecting', CloseDate: '2026-01-15' });

      source.store.dissociate('contacts', '20000', 'companies', '10000');
      source.store.associate('contacts', '20000', 'companies', '10001');
      const again = await migrate(t.ledger, crmPlan(hubspot(source), salesforce(destination)));
      for (const entity of ['organizations', 'contacts', 'products', 'deals'] as const)
        expect([entity, again.entities[entity]?.created]).toEqual([entity, 0]);
      expect(again.entities.contacts?.updated).toBe(1);
      expectSameGraph(await hubspotGraph(source, 'own'), await salesforceGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 120_000);

  it('killed mid-deals and resumed, creates no opportunity or line twice', async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed() });
    const destination = await startSalesforceSandbox({ port: 0, seed: salesforceUsers() });
    const t = await sqliteLedger();
    try {
      const resumed = await crashMidDealsThenResume(
        crmPlan(hubspot(source), salesforce(destination)),
        t.ledger,
        () => destination.store.live('Opportunity').length,
      );
      expect(resumed).toMatchObject({ resumed: true });
      expect(resumed.entities.deals).toMatchObject({ created: 24, failed: 0 });
      expectSameGraph(await hubspotGraph(source, 'own'), await salesforceGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 120_000);

  it("stops before the org's 24-hour allocation is exceeded, and resumes to the same graph", async () => {
    const source = await startHubSpotSandbox({ port: 0, seed: seed() });
    const destination = await startSalesforceSandbox({
      port: 0,
      seed: salesforceUsers(),
      rateLimit: true,
      dailyLimit: 20,
    });
    const t = await sqliteLedger();
    try {
      const prepared = await prepareMigration(crmPlan(hubspot(source), salesforce(destination)));
      await expect(runMigration(prepared, t.ledger)).rejects.toThrow(
        /24-hour API allocation is used up to the reserve/,
      );
      // Never refused: the run stopped itself first, and left the reserve for the org's other integrations.
      expect(destination.counters().throttled).toBe(0);
      expect(destination.apiUsage.used).toBeLessThanOrEqual(
        20 - Math.ceil(20 * SALESFORCE_FACTS.allocationReserveShare),
      );
      // The rolling window frees requests; the run resumes where it stopped.
      destination.apiUsage.max = 10_000;
      const resumed = await runMigration(
        await prepareMigration(crmPlan(hubspot(source), salesforce(destination))),
        t.ledger,
      );
      expect(resumed).toMatchObject({ resumed: true });
      expectSameGraph(await hubspotGraph(source, 'own'), await salesforceGraph(destination, 'source'));
    } finally {
      await Promise.all([source.close(), destination.close(), t.close()]);
    }
  }, 120_000);
});

describe('Salesforce reads', () => {
  it('reads a large object through a Bulk API 2.0 job, the same records as SOQL paging', async () => {
    const seed = salesforceCrmSeed({ accounts: 450, contactsPerAccount: 0, dealsPerAccount: 0 });
    const sandbox = await startSalesforceSandbox({ port: 0, seed });
    // Counts the Bulk API 2.0 query jobs the connector creates, passing every request through untouched.
    let bulkJobs = 0;
    const proxy = await startFaultProxy(sandbox.url, [
      {
        when: (request) => {
          if (request.method === 'POST' && request.path.endsWith('/jobs/query')) bulkJobs++;
          return false;
        },
        fault: 'slow',
        every: 1,
      },
    ]);
    try {
      const read = async (bulkThreshold: number) => {
        const connector = new SalesforceConnector(proxy.url, SALESFORCE_FACTS.sandboxAccessToken, {
          concurrency: 1,
          bulkThreshold,
          bulkPollMs: 50,
          reads: { organizations: ['Name'] },
        });
        const pages: { size: number; cursor: string | null; names: unknown[] }[] = [];
        for await (const page of connector.read('organizations', { cursor: null, pageSize: 200 }))
          pages.push({
            size: page.records.length,
            cursor: page.nextCursor,
            names: page.records.map((r) => r.Name),
          });
        return pages;
      };
      const bulk = await read(100);
      expect(bulkJobs).toBe(1);
      const soql = await read(SALESFORCE_FACTS.bulkQueryThreshold);
      expect(bulkJobs).toBe(1);
      expect(bulk.map((p) => p.size)).toEqual([200, 200, 50]);
      expect(bulk).toEqual(soql);
      expect(bulk[0].cursor).toBe(`id:${salesforceId('Account', 200)}`);
      // A read resumed from a cursor continues after that record.
      const connector = new SalesforceConnector(sandbox.url, SALESFORCE_FACTS.sandboxAccessToken, {
        concurrency: 1,
      });
      const rest: unknown[] = [];
      for await (const page of connector.read('organizations', { cursor: bulk[1].cursor, pageSize: 200 }))
        rest.push(...page.records);
      expect(rest).toHaveLength(50);
    } finally {
      await Promise.all([proxy.close(), sandbox.close()]);
    }
  });
});
