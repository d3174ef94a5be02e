import { HUBSPOT_FACTS } from '../hubspot.facts';
import { ASSOCIATION_TYPES, PROPERTY_GROUPS, UNIQUE_PROPERTIES } from './hubspot.contract';
import { startHubSpotSandbox } from './hubspot.sandbox';

/**
 * The refusals hubspot.contract.ts states, each probed through the sandbox's REST API. Counts what it probed;
 * the first answer that differs fails the suite.
 */
describe('HubSpot sandbox against the portal’s stated rules', () => {
  let sandbox: Awaited<ReturnType<typeof startHubSpotSandbox>>;
  let probed = 0;
  const call = async (method: string, path: string, body?: unknown) => {
    probed++;
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${HUBSPOT_FACTS.sandboxAccessToken}`,
        'Content-Type': 'application/json',
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  beforeEach(async () => {
    sandbox = await startHubSpotSandbox({
      port: 0,
      seed: {
        contacts: [{ id: '100', properties: { email: 'a@example.com' } }],
        companies: [{ id: '900', properties: { name: 'Acme' } }],
        deals: [{ id: '500', properties: { dealname: 'Deal' } }],
      },
    });
  });
  afterEach(async () => {
    await sandbox.close();
  });
  afterAll(() => {
    process.stdout.write(`HubSpot contract: ${probed} requests probed\n`);
  });

  const property = (name: string, groupName: string, hasUniqueValue = false) => ({
    name,
    label: name,
    type: 'string',
    fieldType: 'text',
    groupName,
    hasUniqueValue,
  });

  it.each(Object.entries(PROPERTY_GROUPS))(
    'creates a %s property only in a group that exists',
    async (type, group) => {
      expect((await call('POST', `/crm/v3/properties/${type}`, property('kept', group))).status).toBe(201);
      expect(await call('POST', `/crm/v3/properties/${type}`, property('lost', 'switchyard'))).toMatchObject({
        status: 400,
        body: {
          status: 'error',
          category: 'VALIDATION_ERROR',
          message: 'Property group switchyard does not exist',
        },
      });
    },
  );

  it(`holds an object to ${UNIQUE_PROPERTIES.perObject} unique value properties`, async () => {
    for (let n = 0; n < UNIQUE_PROPERTIES.perObject; n++)
      expect(
        (await call('POST', '/crm/v3/properties/companies', property(`key_${n}`, 'companyinformation', true)))
          .status,
      ).toBe(201);
    const refused = await call(
      'POST',
      '/crm/v3/properties/companies',
      property('key_x', 'companyinformation', true),
    );
    expect([refused.status, refused.body.category]).toEqual([400, 'VALIDATION_ERROR']);
    expect(
      (await call('POST', '/crm/v3/properties/companies', property('plain', 'companyinformation'))).status,
    ).toBe(201);
  });

  it.each(Object.keys(PROPERTY_GROUPS))(
    'allows a unique value property on %s only if HubSpot documents it',
    async (type) => {
      const made = await call(
        'POST',
        `/crm/v3/properties/${type}`,
        property('source_key', PROPERTY_GROUPS[type as keyof typeof PROPERTY_GROUPS], true),
      );
      if (UNIQUE_PROPERTIES.documentedFor.includes(type as keyof typeof PROPERTY_GROUPS))
        expect(made.status).toBe(201);
      else
        expect(made).toMatchObject({
          status: 400,
          body: {
            status: 'error',
            category: 'VALIDATION_ERROR',
            message: expect.stringMatching(/not supported/),
          },
        });
    },
  );

  it('creates a batch all or nothing: one bad input or link, and no record of it is made', async () => {
    const line = (name: string, deal = '500') => ({
      properties: { name },
      associations: [
        {
          to: { id: deal },
          types: [
            {
              associationCategory: 'HUBSPOT_DEFINED',
              associationTypeId: ASSOCIATION_TYPES['line_items→deals'][0],
            },
          ],
        },
      ],
    });
    const badProperty = { properties: { name: 'bad', no_such_property: 'x' }, associations: [] };
    for (const inputs of [
      [line('one'), badProperty],
      [line('one'), line('two', '999')],
    ]) {
      const refused = await call('POST', '/crm/v3/objects/line_items/batch/create', { inputs });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.body).toMatchObject({ status: 'error' });
    }
    expect((await call('GET', '/crm/v3/objects/line_items')).body.results).toEqual([]);
    const made = await call('POST', '/crm/v3/objects/line_items/batch/create', { inputs: [line('one')] });
    expect(made.status).toBe(201);
    const linked = await call(
      'GET',
      `/crm/v3/objects/line_items/${made.body.results[0].id}?associations=deals`,
    );
    expect(linked.body.associations.deals.results.map((r: { id: string }) => r.id)).toEqual(['500']);
  });

  it('associates by HUBSPOT_DEFINED types of the pair only', async () => {
    const link = (from: string, to: string, typeId: number) =>
      call('POST', `/crm/v4/associations/${from}/${to}/batch/create`, {
        inputs: [
          {
            from: { id: from === 'deals' ? '500' : from === 'contacts' ? '100' : '900' },
            to: { id: to === 'companies' ? '900' : to === 'deals' ? '500' : '100' },
            types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
          },
        ],
      });
    for (const pair of ['deals→companies', 'contacts→companies', 'deals→contacts']) {
      const [from, to] = pair.split('→');
      for (const typeId of ASSOCIATION_TYPES[pair]) expect((await link(from, to, typeId)).status).toBe(201);
      const wrong = await link(
        from,
        to,
        ASSOCIATION_TYPES[pair === 'deals→contacts' ? 'deals→companies' : 'deals→contacts'][0],
      );
      expect(wrong.status).toBe(207);
      expect(wrong.body.errors[0]).toMatchObject({ category: 'VALIDATION_ERROR' });
      expect(wrong.body.errors[0].message).toMatch(/is not a HUBSPOT_DEFINED association type from/);
    }
  });
});
