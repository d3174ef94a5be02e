import { SalesforceClient } from '../salesforce.client';
import { SALESFORCE_FACTS } from '../salesforce.facts';
import { FIELD_LENGTHS, SERVED_VERSIONS } from './salesforce.contract';
import { startSalesforceSandbox } from './salesforce.sandbox';
import { fieldDef, OBJECTS } from './salesforce.schema';

/**
 * The refusals salesforce.contract.ts states, each probed through the sandbox's REST API (jsforce, as the
 * connector calls it) and answered as an org answers it. Counts what it probed; the first difference fails.
 */
describe('Salesforce sandbox against the org’s documented contract', () => {
  let sandbox: Awaited<ReturnType<typeof startSalesforceSandbox>>;
  let probed = 0;
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sandbox.close();
    process.stdout.write(`Salesforce contract: ${probed} refusals and acceptances probed\n`);
  });

  it('serves the API versions an org serves and answers any other with 404 NOT_FOUND', async () => {
    const { lowest, highest } = SERVED_VERSIONS.value;
    const status = async (version: number) => {
      probed++;
      const response = await fetch(
        `${sandbox.url}/services/data/v${version}.0/query?q=SELECT+Id+FROM+Account`,
        {
          headers: { authorization: `Bearer ${SALESFORCE_FACTS.sandboxAccessToken}` },
        },
      );
      return response.status;
    };
    for (const version of [lowest, Number(SALESFORCE_FACTS.apiVersion), highest])
      expect(await status(version)).toBe(200);
    // Retired, and one from the future.
    for (const version of [lowest - 1, highest + 1, 99]) expect(await status(version)).toBe(404);
    const listed = (await (await fetch(`${sandbox.url}/services/data`)).json()) as { version: string }[];
    expect([listed[0].version, listed.at(-1)!.version]).toEqual([`${lowest}.0`, `${highest}.0`]);
  });

  // The objects a record of which needs nothing else to exist first.
  const BASE: Record<string, Record<string, unknown>> = {
    Account: { Name: 'Probe' },
    Contact: { LastName: 'Probe' },
    Opportunity: { Name: 'Probe', StageName: 'Prospecting', CloseDate: '2026-12-31' },
    Product2: { Name: 'Probe' },
  };

  it.each(Object.keys(BASE))(
    'takes each %s text field up to its length and refuses one character more with STRING_TOO_LONG, naming it',
    async (object) => {
      const conn = new SalesforceClient(sandbox.url, SALESFORCE_FACTS.sandboxAccessToken, 2).conn;
      const definition = OBJECTS[object];
      const fields = Object.entries(FIELD_LENGTHS.value[object]).filter(
        ([name]) => fieldDef(definition, name)?.createable,
      );
      expect(fields.length).toBeGreaterThan(0);
      // A value of exactly `length` characters, valid for the field's type.
      const text = (name: string, length: number) => {
        const domain = '@example.com';
        return fieldDef(definition, name)!.type === 'email'
          ? `${'e'.repeat(length - domain.length)}${domain}`
          : 'x'.repeat(length);
      };
      const records = fields.flatMap(([name, length]) => [
        { ...BASE[object], [name]: text(name, length) },
        { ...BASE[object], [name]: `y${text(name, length)}` },
      ]);
      probed += records.length;
      const results = await conn.sobject(object).create(records, { allOrNone: false });
      fields.forEach(([name, length], i) => {
        expect({ field: name, length, result: results[2 * i] }).toMatchObject({ result: { success: true } });
        expect({ field: name, length, result: results[2 * i + 1] }).toMatchObject({
          result: {
            success: false,
            errors: [
              expect.objectContaining({
                statusCode: 'STRING_TOO_LONG',
                fields: [name],
                message: expect.stringContaining(`(max length=${length})`),
              }),
            ],
          },
        });
      });
    },
  );
});
