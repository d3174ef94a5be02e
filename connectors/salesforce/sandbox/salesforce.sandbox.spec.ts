import { SalesforceClient } from '../salesforce.client';
import { SALESFORCE_FACTS, salesforceId } from '../salesforce.facts';
import { startSalesforceSandbox } from './salesforce.sandbox';

type Sandbox = Awaited<ReturnType<typeof startSalesforceSandbox>>;
const EXT = SALESFORCE_FACTS.sourceIdField;
const jsforce = (sandbox: Sandbox, token: string = SALESFORCE_FACTS.sandboxAccessToken) =>
  new SalesforceClient(sandbox.url, token, 2).conn;
const accounts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ Id: salesforceId('Account', i + 1), Name: `Account ${i + 1}` }));

describe('Salesforce sandbox, through jsforce', () => {
  let sandbox: Sandbox;
  afterEach(() => sandbox?.close());

  it('refuses a wrong token with an array error body, as the REST API does', async () => {
    sandbox = await startSalesforceSandbox({ port: 0 });
    await expect(jsforce(sandbox, 'wrong').query('SELECT Id FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_SESSION_ID',
      message: 'Session expired or invalid',
    });
  });

  it('pages a query through nextRecordsUrl at the asked batch size, and counts with COUNT()', async () => {
    sandbox = await startSalesforceSandbox({ port: 0, seed: { Account: accounts(450) } });
    const conn = jsforce(sandbox);
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query('SELECT Id, Name FROM Account ORDER BY Id', { headers, autoFetch: false });
    expect(first).toMatchObject({ totalSize: 450, done: false });
    expect(first.records).toHaveLength(200);
    // jsforce hands back the locator as a full URL: /services/data/vNN.N/query/<locator>-<offset>.
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g\w+-200$/);
    const more = (url: string) => conn.request<typeof first>({ method: 'GET', url, headers });
    const second = await more(first.nextRecordsUrl!);
    const third = await more(second.nextRecordsUrl!);
    expect([second.records.length, third.records.length, third.done]).toEqual([200, 50, true]);
    expect(third.records.at(-1)).toMatchObject({ attributes: { type: 'Account' }, Name: 'Account 450' });
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(450);
    // An empty result is one done batch.
    const none = await conn.query("SELECT Id FROM Account WHERE Name = 'nobody'");
    expect(none).toMatchObject({ totalSize: 0, done: true, records: [] });
  });

  it('answers SOQL with WHERE on datetimes, IN lists and parent fields, and refuses unknown fields', async () => {
    sandbox = await startSalesforceSandbox({ port: 0, seed: { Account: accounts(3) } });
    const conn = jsforce(sandbox);
    const [a1, a2] = [salesforceId('Account', 1), salesforceId('Account', 2)];
    await conn.sobject('Contact').create({ LastName: 'Jansen', AccountId: a2 });
    const since = new Date(Date.now() - 60_000).toISOString();
    const found = await conn.query(
      `SELECT Id, LastName, Account.Name FROM Contact WHERE SystemModstamp > ${since} AND AccountId IN ('${a1}', '${a2}')`,
    );
    expect(found.records).toEqual([
      expect.objectContaining({
        LastName: 'Jansen',
        Account: expect.objectContaining({ Name: 'Account 2' }),
      }),
    ]);
    // IN and NOT IN compare as = does: text in any letter case, numbers by value, null only with null.
    const names = async (where: string) =>
      (await conn.query(`SELECT Name FROM Account WHERE ${where} ORDER BY Name`)).records.map((r) => r.Name);
    expect(await names(`Name IN ('ACCOUNT 1', 'account 3', null)`)).toEqual(['Account 1', 'Account 3']);
    expect(await names(`Name NOT IN ('account 2')`)).toEqual(['Account 1', 'Account 3']);
    expect(await names(`Id IN ('${a1.toLowerCase()}')`)).toEqual(['Account 1']);
    expect(await names(`Website IN (null)`)).toEqual(['Account 1', 'Account 2', 'Account 3']);
    await expect(conn.query('SELECT Id, Nonsense FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringMatching(/No such column 'Nonsense' on entity 'Account'/),
    });
    await expect(conn.query('SELECT FROM Account')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });

  it('upserts collections on an External ID: created, then updated, per-record errors, at most 200', async () => {
    sandbox = await startSalesforceSandbox({ port: 0 });
    const conn = jsforce(sandbox);
    const records = [
      { [EXT]: 'a', Name: 'Alpha' },
      { [EXT]: 'b', Name: 'Beta' },
    ];
    const first = await conn.sobject('Account').upsert(records, EXT);
    expect(first).toEqual([
      expect.objectContaining({ success: true, created: true }),
      expect.objectContaining({ success: true, created: true }),
    ]);
    const again = await conn
      .sobject('Account')
      .upsert([{ [EXT]: 'a', Name: 'Alpha BV' }, { [EXT]: 'c' }], EXT);
    expect(again[0]).toMatchObject({ success: true, created: false, id: (first[0] as { id: string }).id });
    expect(again[1]).toMatchObject({
      success: false,
      errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] })],
    });
    expect(sandbox.store.live('Account').map((a) => a.Name)).toEqual(['Alpha BV', 'Beta']);
    // The External ID is found as the records hold it now: in any letter case, after it moved, after a delete.
    const alpha = (first[0] as { id: string }).id;
    await conn.sobject('Account').update({ Id: alpha, [EXT]: 'A2' });
    const moved = await conn.sobject('Account').upsert(
      [
        { [EXT]: 'a2', Name: 'Alpha moved' },
        { [EXT]: 'a', Name: 'Alpha again' },
      ],
      EXT,
    );
    expect(moved[0]).toMatchObject({ success: true, created: false, id: alpha });
    expect(moved[1]).toMatchObject({ success: true, created: true });
    await expect(conn.sobject('Account').create({ [EXT]: 'B', Name: 'Beta twin' })).rejects.toMatchObject({
      errorCode: 'DUPLICATE_VALUE',
    });
    await conn.sobject('Account').destroy((first[1] as { id: string }).id);
    expect(await conn.sobject('Account').upsert({ [EXT]: 'b', Name: 'Beta new' }, EXT)).toMatchObject({
      success: true,
      created: true,
    });
    const tooMany = Array.from({ length: 201 }, (_, i) => ({ [EXT]: `x${i}`, Name: `X${i}` }));
    await expect(conn.sobject('Account').upsert(tooMany, EXT)).rejects.toMatchObject({
      errorCode: 'EXCEEDED_ID_LIMIT',
    });
  });

  it('rolls every record back when allOrNone is set and one fails', async () => {
    sandbox = await startSalesforceSandbox({ port: 0 });
    const conn = jsforce(sandbox);
    const results = await conn.sobject('Opportunity').create(
      [
        { Name: 'Good', StageName: 'Prospecting', CloseDate: '2026-12-01' },
        { Name: 'Bad', StageName: 'Maybe', CloseDate: '2026-12-01' },
      ],
      { allOrNone: true },
    );
    expect(results.map((r) => (r.success ? 'ok' : r.errors[0]))).toEqual([
      expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }),
      expect.objectContaining({
        statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: 'Stage: bad value for restricted picklist field: Maybe',
      }),
    ]);
    expect(sandbox.store.live('Opportunity')).toHaveLength(0);
  });

  it('prices opportunity lines from the standard price book and sums them into the amount', async () => {
    sandbox = await startSalesforceSandbox({
      port: 0,
      seed: { Product2: [{ Id: salesforceId('Product2', 1), Name: 'Licence', ProductCode: 'LIC' }] },
    });
    const conn = jsforce(sandbox);
    const entry = await conn.sobject('PricebookEntry').create({
      Pricebook2Id: sandbox.store.standardPricebookId,
      Product2Id: salesforceId('Product2', 1),
      UnitPrice: 250,
      IsActive: true,
    });
    const opportunity = await conn
      .sobject('Opportunity')
      .create({ Name: 'Deal', StageName: 'Qualification', CloseDate: '2026-12-01', Amount: 1 });
    const entryId = (entry as { id: string }).id;
    const opportunityId = (opportunity as { id: string }).id;
    await conn.sobject('OpportunityLineItem').create([
      { OpportunityId: opportunityId, PricebookEntryId: entryId, Quantity: 2 },
      { OpportunityId: opportunityId, PricebookEntryId: entryId, Quantity: 1, UnitPrice: 100 },
    ]);
    const read = await conn.query(
      `SELECT Amount, Pricebook2Id FROM Opportunity WHERE Id = '${opportunityId}'`,
    );
    expect(read.records[0]).toMatchObject({ Amount: 600, Pricebook2Id: sandbox.store.standardPricebookId });
    const lines = await conn.query(`SELECT ProductCode, TotalPrice, Product2Id FROM OpportunityLineItem`);
    expect(lines.records.map((l) => [l.ProductCode, l.TotalPrice])).toEqual([
      ['LIC', 500],
      ['LIC', 100],
    ]);
    // The amount follows the lines as they are now: after one more, after one updated, after one deleted.
    const amount = async () =>
      (await conn.query(`SELECT Amount FROM Opportunity WHERE Id = '${opportunityId}'`)).records[0].Amount;
    const added = (await conn
      .sobject('OpportunityLineItem')
      .create({ OpportunityId: opportunityId, PricebookEntryId: entryId, Quantity: 4 })) as { id: string };
    expect(await amount()).toBe(1600);
    await conn.sobject('OpportunityLineItem').update({ Id: added.id, Quantity: 2 });
    expect(await amount()).toBe(1100);
    await conn.sobject('OpportunityLineItem').destroy(added.id);
    expect(await amount()).toBe(600);
    await expect(
      conn.sobject('PricebookEntry').create({
        Pricebook2Id: sandbox.store.standardPricebookId,
        Product2Id: salesforceId('Product2', 1),
        UnitPrice: 1,
      }),
    ).rejects.toMatchObject({ errorCode: 'DUPLICATE_VALUE' });
  });

  it('reports usage in Sforce-Limit-Info and, rate limits on, refuses past the allocation with 403', async () => {
    sandbox = await startSalesforceSandbox({ port: 0, rateLimit: true, dailyLimit: 3 });
    const conn = jsforce(sandbox);
    await conn.query('SELECT Id FROM Account');
    expect(conn.limitInfo.apiUsage).toEqual({ used: 1, limit: 3 });
    await conn.query('SELECT Id FROM Account');
    await conn.query('SELECT Id FROM Account');
    await expect(conn.query('SELECT Id FROM Account')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    expect(sandbox.counters().throttled).toBe(1);
  });

  it('runs a Bulk API 2.0 query job and pages its CSV results by Sforce-Locator', async () => {
    sandbox = await startSalesforceSandbox({ port: 0, seed: { Account: accounts(5) } });
    const conn = jsforce(sandbox);
    const job = await conn.request<{ id: string; state: string }>({
      method: 'POST',
      url: '/jobs/query',
      body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Name FROM Account ORDER BY Id' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(job.state).toBe('UploadComplete');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await conn.request(`/jobs/query/${job.id}`)).toMatchObject({
      state: 'JobComplete',
      numberRecordsProcessed: 5,
    });
    const response = await fetch(
      `${sandbox.url}/services/data/v62.0/jobs/query/${job.id}/results?maxRecords=3`,
      {
        headers: { authorization: `Bearer ${SALESFORCE_FACTS.sandboxAccessToken}` },
      },
    );
    expect(response.headers.get('sforce-locator')).toBe('3');
    expect(response.headers.get('sforce-numberofrecords')).toBe('3');
    expect((await response.text()).split('\n')[0]).toBe('"Id","Name"');
    const last = await fetch(
      `${sandbox.url}/services/data/v62.0/jobs/query/${job.id}/results?maxRecords=3&locator=3`,
      {
        headers: { authorization: `Bearer ${SALESFORCE_FACTS.sandboxAccessToken}` },
      },
    );
    expect(last.headers.get('sforce-locator')).toBe('null');
    expect((await last.text()).trim().split('\n')).toHaveLength(3);
  });
});
