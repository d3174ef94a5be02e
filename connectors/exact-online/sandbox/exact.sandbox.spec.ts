import { EXACT_SANDBOX_CREDENTIALS, type ExactSandbox, startExactSandbox } from './exact.sandbox';

/** What a client of Exact's API sees, through plain HTTP as the documentation describes it. */
describe('Exact Online sandbox', () => {
  let sandbox: ExactSandbox;
  let headers: Record<string, string>;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.url}/api/v1/1234567/${path}`, {
      ...init,
      headers: { ...headers, ...(init.headers as object) },
    });
  const token = async (refreshToken: string) =>
    fetch(`${sandbox.url}/api/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: EXACT_SANDBOX_CREDENTIALS.clientId,
        client_secret: EXACT_SANDBOX_CREDENTIALS.clientSecret,
      }),
    });

  beforeAll(async () => {
    sandbox = await startExactSandbox({
      port: 0,
      dailyQuota: 40,
      seed: {
        VATCodes: [
          { Code: '2', Description: 'BTW hoog', Percentage: 0.21 },
          { Code: '1', Description: 'BTW laag', Percentage: 0.09 },
        ],
        Items: [{ Code: 'A1', Description: 'Widget' }],
      },
    });
    const reply = (await (await token(EXACT_SANDBOX_CREDENTIALS.refreshToken)).json()) as Record<
      string,
      string
    >;
    headers = {
      authorization: `Bearer ${reply.access_token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
  });
  afterAll(() => sandbox.close());

  it('rotates refresh tokens: each refresh returns a new one, and the used one is dead', async () => {
    const first = await token(EXACT_SANDBOX_CREDENTIALS.refreshToken);
    expect(first.status).toBe(400);
    expect(await first.json()).toEqual({ error: 'invalid_grant' });
    expect(sandbox.tokens()).toEqual({ refreshed: 1, reused: 1 });
  });

  it('pads account codes, computes invoice VAT per line, and pages sync endpoints on Timestamp', async () => {
    const created = await api('crm/Accounts', {
      method: 'POST',
      body: JSON.stringify({ Name: 'Acme', Code: '25' }),
    });
    expect(created.status).toBe(201);
    const account = ((await created.json()) as { d: Record<string, string> }).d;
    expect(account.Code).toBe('                25');
    expect(account.Created).toMatch(/^\/Date\(\d+\)\/$/);
    const item = [...sandbox.store.tables.get('Items')!.values()][0];
    const invoice = await api('salesinvoice/SalesInvoices', {
      method: 'POST',
      body: JSON.stringify({
        OrderedBy: account.ID,
        YourRef: 'order-1',
        SalesInvoiceLines: [
          { Item: item.ID, Quantity: 3, NetPrice: 9.99, VATCode: '2' },
          { Item: item.ID, Quantity: 1, NetPrice: 0.05, VATCode: '1' },
        ],
      }),
    });
    const body = ((await invoice.json()) as { d: Record<string, any> }).d;
    // 29.97 at 21% = 6.2937 → 6.29; 0.05 at 9% = 0.0045 → 0.00
    expect([body.AmountFCExclVat, body.VATAmountFC, body.AmountFC]).toEqual([30.02, 6.29, 36.31]);
    expect(body.SalesInvoiceLines.results).toHaveLength(2);
    const sync = await api(`sync/CRM/Accounts?$filter=Timestamp gt 1L&$select=ID,Code,Timestamp`);
    const rows = ((await sync.json()) as { d: { results: Record<string, unknown>[]; __next?: string } }).d;
    expect(rows.results.map((row) => Object.keys(row).sort())).toEqual([
      ['Code', 'ID', 'Timestamp', '__metadata'],
    ]);
    expect(rows.__next).toBeUndefined();
    expect(sync.headers.get('x-ratelimit-minutely-limit')).toBe('60');
  });

  it("refuses what Exact refuses, with Exact's error body", async () => {
    const unfiltered = await api('crm/Accounts');
    expect(unfiltered.status).toBe(400);
    expect(((await unfiltered.json()) as any).error.message.value).toMatch(
      /^This endpoint has mandatory filtering applied/,
    );
    const noSelect = await api('bulk/CRM/Accounts?$filter=Code eq 1');
    expect(((await noSelect.json()) as any).error.message.value).toBe(
      'Please add a $select or a $top=1 statement to the query string',
    );
    const unknown = await api('crm/Accounts', {
      method: 'POST',
      body: JSON.stringify({ Name: 'X', Colour: 'red' }),
    });
    expect(((await unknown.json()) as any).error.message.value).toMatch(
      /The property name 'Colour' .* is not valid/,
    );
    const taken = await api('crm/Accounts', {
      method: 'POST',
      body: JSON.stringify({ Name: 'Y', Code: '25' }),
    });
    expect(taken.status).toBe(400);
    const found = await api(`crm/Accounts?$filter=trim(Code) eq '25'&$select=ID,Name`);
    expect(((await found.json()) as any).d.results).toEqual([expect.objectContaining({ Name: 'Acme' })]);
  });

  it('counts the daily quota in headers and answers 429 once it is used up; the next day it is whole', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 40; i++) {
      last = await api(`vat/VATCodes?$select=Code`);
      if (last.status === 429) break;
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now());
    sandbox.rollDay();
    expect((await api(`vat/VATCodes?$select=Code`)).status).toBe(200);
  });
});
