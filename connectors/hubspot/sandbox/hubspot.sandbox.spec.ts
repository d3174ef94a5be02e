import { Client } from '@hubspot/api-client';
import { HUBSPOT_FACTS } from '../hubspot.facts';
import { startHubSpotSandbox } from './hubspot.sandbox';

type Sandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;
const client = (sandbox: Sandbox, accessToken: string = HUBSPOT_FACTS.sandboxAccessToken) =>
  new Client({ accessToken, basePath: sandbox.url });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: { code: number; body: Record<string, any> }) => ({ code: error.code, body: error.body }),
  );

const contacts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: String(100 + i),
    properties: { email: `c${i}@example.com`, firstname: `C${i}`, lastname: 'Test' },
  }));

describe('HubSpot sandbox, through the official @hubspot/api-client', () => {
  let sandbox: Sandbox;
  afterEach(() => sandbox?.close());

  it('refuses a wrong token with HubSpot’s 401 body', async () => {
    sandbox = await startHubSpotSandbox({ port: 0 });
    const refused = await failure(client(sandbox, 'nope').crm.contacts.basicApi.getPage());
    expect(refused.code).toBe(401);
    expect(refused.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
  });

  it('pages with after cursors, ≤100 a page, with no paging.next on the last page', async () => {
    sandbox = await startHubSpotSandbox({ port: 0, seed: { contacts: contacts(250) } });
    const api = client(sandbox).crm.contacts.basicApi;
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await api.getPage(100, after, ['email']);
      seen.push(...page.results.map((r) => r.properties.email!));
      after = page.paging?.next?.after;
      pages++;
    } while (after);
    expect([pages, seen.length, new Set(seen).size]).toEqual([3, 250, 250]);
    expect((await api.getPage()).results).toHaveLength(10);
    expect((await failure(api.getPage(101))).code).toBe(400);
  });

  it('upserts on a unique custom property, caps batches at 100, and reports partial failures as 207', async () => {
    sandbox = await startHubSpotSandbox({ port: 0 });
    const hs = client(sandbox);
    await hs.crm.properties.coreApi.create('companies', {
      name: HUBSPOT_FACTS.sourceIdProperty,
      label: 'Switchyard source id',
      type: 'string' as any,
      fieldType: 'text' as any,
      groupName: 'companyinformation',
      hasUniqueValue: true,
    });
    const input = (i: number, properties: Record<string, string> = { name: `Org ${i}` }) => ({
      id: `src-${i}`,
      idProperty: HUBSPOT_FACTS.sourceIdProperty,
      properties,
    });
    const first = await hs.crm.companies.batchApi.upsert({ inputs: [1, 2, 3].map((i) => input(i)) });
    expect(first.results.map((r: any) => r['_new'] ?? r.new)).toEqual([true, true, true]);
    const again = await hs.crm.companies.batchApi.upsert({
      inputs: [input(1, { name: 'Org one' }), input(4, { nmae: 'typo' })],
    });
    expect(again.results).toHaveLength(1);
    expect((again as any).errors[0]).toMatchObject({
      category: 'VALIDATION_ERROR',
      context: { ids: ['src-4'] },
    });
    expect(sandbox.store.list('companies', false).map((c) => c.properties.name)).toEqual([
      'Org one',
      'Org 2',
      'Org 3',
    ]);
    const tooMany = await failure(
      hs.crm.companies.batchApi.upsert({ inputs: Array.from({ length: 101 }, (_, i) => input(i)) }),
    );
    expect(tooMany.code).toBe(400);
    const notUnique = await failure(
      hs.crm.companies.batchApi.upsert({ inputs: [{ id: 'x', idProperty: 'name', properties: {} }] }),
    );
    expect(notUnique.body.message).toMatch(/name is not a unique identifier property/);
  });

  it('refuses a second contact with an email that exists, naming the existing id', async () => {
    sandbox = await startHubSpotSandbox({ port: 0, seed: { contacts: contacts(1) } });
    const refused = await failure(
      client(sandbox).crm.contacts.basicApi.create({
        properties: { email: 'C0@example.com' },
        associations: [],
      }),
    );
    expect(refused).toMatchObject({
      code: 409,
      body: { category: 'CONFLICT', message: 'Contact already exists. Existing ID: 100' },
    });
  });

  it('keeps v4 associations in both directions, readable in batches and on the objects', async () => {
    sandbox = await startHubSpotSandbox({
      port: 0,
      seed: { contacts: contacts(2), companies: [{ id: '900', properties: { name: 'Acme' } }] },
    });
    const hs = client(sandbox);
    await hs.crm.associations.v4.batchApi.create('contacts', 'companies', {
      inputs: ['100', '101'].map((id) => ({
        _from: { id },
        to: { id: '900' },
        types: [{ associationCategory: 'HUBSPOT_DEFINED' as any, associationTypeId: 279 }],
      })),
    });
    const read = await hs.crm.associations.v4.batchApi.getPage('companies', 'contacts', {
      inputs: [{ id: '900' }],
    });
    expect(read.results[0].to.map((t) => t.toObjectId).sort()).toEqual(['100', '101']);
    const contact = await hs.crm.contacts.basicApi.getById('100', undefined, undefined, ['companies']);
    expect(contact.associations?.companies.results.map((r) => r.id)).toEqual(['900']);
  });

  it('searches on the modified date in epoch milliseconds, sorted, ≤200 a page', async () => {
    sandbox = await startHubSpotSandbox({ port: 0, seed: { contacts: contacts(5) } });
    const store = sandbox.store.objects.get('contacts')!;
    [...store.values()].forEach(
      (c, i) => (c.properties.lastmodifieddate = `2026-01-0${i + 1}T00:00:00.000Z`),
    );
    const found = await client(sandbox).crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'lastmodifieddate',
              operator: 'GTE' as any,
              value: String(Date.parse('2026-01-03T00:00:00Z')),
            },
          ],
        },
      ],
      sorts: ['lastmodifieddate'],
      properties: ['email'],
      limit: 2,
      after: '0',
    });
    expect(found.total).toBe(3);
    expect(found.results.map((r) => r.properties.email)).toEqual(['c2@example.com', 'c3@example.com']);
    expect(found.paging?.next?.after).toBe('2');
  });

  it('answers past the ten-secondly and daily limits with HubSpot’s 429 bodies', async () => {
    sandbox = await startHubSpotSandbox({ port: 0, rateLimit: true });
    const api = client(sandbox).crm.contacts.basicApi;
    for (let i = 0; i < HUBSPOT_FACTS.tenSecondlyLimit; i++) await api.getPage(1);
    const burst = await failure(api.getPage(1));
    expect(burst).toMatchObject({
      code: 429,
      body: { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' },
    });
    expect(sandbox.counters().throttled).toBe(1);
    await sandbox.close();
    sandbox = await startHubSpotSandbox({ port: 0, rateLimit: true, dailyLimit: 3 });
    const daily = client(sandbox).crm.contacts.basicApi;
    for (let i = 0; i < 3; i++) await daily.getPage(1);
    expect(await failure(daily.getPage(1))).toMatchObject({ code: 429, body: { policyName: 'DAILY' } });
  });
});
