import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubspotCrmSeed } from '../../bench/crm-org';
import { startSandbox } from '../../src/connectors/connector.registry';
import { parsePlan } from '../../src/plan/migration-plan';
import { salesforceAll } from '../helpers/crm-graph';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';
import { connection, migrate } from '../helpers/sandboxes';

/**
 * A value the source does not have is left out, never written as the text "null": JSONata joins a missing
 * value as that word (`line1 & ', ' & line2`), which is how a HubSpot company with a city and no street came to
 * have "null" as its Salesforce billing street. Checked through Salesforce's own API.
 */
describe('a missing value written as text', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await sqliteLedger();
  });
  afterEach(async () => {
    await t.close();
  });

  /** Three companies: a city and no street, only a second street line, and a street. */
  const portal = () => {
    const seed = hubspotCrmSeed({ companies: 3, contactsPerCompany: 1, dealsPerCompany: 1 });
    const companies = seed.companies as { properties: Record<string, string> }[];
    companies[1].properties.address2 = 'Suite 5';
    companies[2].properties.address = 'Oudegracht 1';
    return seed;
  };
  const plan = (name: string, source: { url: string }, org: { url: string }, mappings = {}) =>
    parsePlan(
      {
        name,
        source: connection(source, 'hubspot'),
        destination: connection(org, 'salesforce'),
        entities: ['organizations'],
        mappings,
      },
      process.cwd(),
    );

  it('is never sent: a company without a street has none in Salesforce, one with a second line has that line', async () => {
    const source = await startSandbox('hubspot', { port: 0, seed: portal() });
    const org = await startSandbox('salesforce', { port: 0 });
    try {
      const result = await migrate(t.ledger, plan('streets', source, org));
      expect(result.status).toBe('completed');
      const accounts = await salesforceAll(
        org,
        'SELECT Name, BillingStreet, BillingCity FROM Account ORDER BY Name',
      );
      expect(
        accounts.map((account) => [account.Name, account.BillingStreet || null, account.BillingCity]),
      ).toEqual([
        ['Company 1 BV', null, 'Utrecht'],
        ['Company 2 BV', 'Suite 5', 'Utrecht'],
        ['Company 3 BV', 'Oudegracht 1', 'Utrecht'],
      ]);
    } finally {
      await Promise.all([source.close(), org.close()]);
    }
  });

  it("is refused when a plan's own mapping makes it: those records are quarantined naming the field, the rest load", async () => {
    const shipped = readFileSync(join(process.cwd(), 'mappings/salesforce/organization.v1.yaml'), 'utf8');
    // The mapping as it once was: line 1 joined to line 2 whatever either holds.
    const pick = "([addresses[kind = 'billing' and isDefault], addresses[kind = 'billing'], addresses])[0]";
    const joined = shipped.replace(
      /BillingStreet:\n {6}expr: \|\n(?: {8}.*\n)+/,
      `BillingStreet: { expr: "${pick}.line1 & (${pick}.line2 ? ', ' & ${pick}.line2 : '')" }\n`,
    );
    expect(joined).not.toBe(shipped);
    const source = await startSandbox('hubspot', { port: 0, seed: portal() });
    const org = await startSandbox('salesforce', { port: 0 });
    try {
      const result = await migrate(
        t.ledger,
        plan('own-mapping', source, org, { 'salesforce.organization': { content: joined } }),
      );
      expect(result.status).toBe('completed_with_errors');
      expect(result.problems.map((problem) => [problem.sourceId, problem.outcome, problem.reason])).toEqual([
        ['10000', 'quarantined', expect.stringMatching(/BillingStreet would be "null"; fix the mapping$/)],
        [
          '10001',
          'quarantined',
          expect.stringMatching(/BillingStreet would be "null, Suite 5"; fix the mapping$/),
        ],
      ]);
      const accounts = await salesforceAll(org, 'SELECT Name, BillingStreet FROM Account');
      expect(accounts).toEqual([
        expect.objectContaining({ Name: 'Company 3 BV', BillingStreet: 'Oudegracht 1' }),
      ]);
    } finally {
      await Promise.all([source.close(), org.close()]);
    }
  });
});
