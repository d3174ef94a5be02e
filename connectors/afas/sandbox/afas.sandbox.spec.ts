import { AFAS_SANDBOX_TOKEN_DATA, type AfasSandbox, afasToken, startAfasSandbox } from './afas.sandbox';

/** What a client of Profit's REST API sees, through plain HTTP as AFAS documents it. */
describe('AFAS Profit sandbox', () => {
  let sandbox: AfasSandbox;
  const headers = {
    authorization: `AfasToken ${afasToken(AFAS_SANDBOX_TOKEN_DATA)}`,
    'content-type': 'application/json',
    'accept-language': 'nl-nl',
  };
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
  const debtor = (fields: Record<string, unknown>, organisation: Record<string, unknown>) => ({
    KnSalesRelationOrg: {
      Element: {
        Fields: { CuId: 'EUR', CdDa: 0, IsDb: true, ...fields },
        Objects: [
          {
            KnOrganisation: {
              Element: [
                { Fields: { PadAdr: true, AutoNum: false, MatchOga: '0', BcId: 1, ...organisation } },
              ],
            },
          },
        ],
      },
    },
  });

  beforeAll(async () => {
    sandbox = await startAfasSandbox({
      port: 0,
      seed: { vatCodes: [{ VatCode: '1', Description: 'BTW hoog', VatPerc: 21, Blocked: false }] },
    });
  });
  afterAll(() => sandbox.close());
  afterEach(() => expect(sandbox.validation().failures).toEqual([]));

  it('refuses a missing or wrong AfasToken with 401', async () => {
    expect((await fetch(`${sandbox.url}/connectors/Profit_Debtor`)).status).toBe(401);
    const wrong = await fetch(`${sandbox.url}/connectors/Profit_Debtor`, {
      headers: { authorization: `AfasToken ${afasToken('00')}` },
    });
    expect(wrong.status).toBe(401);
  });

  it('creates a debtor with its organisation, and MatchOga 0 reuses the organisation by its number', async () => {
    const first = await call('/connectors/KnSalesRelationOrg', {
      method: 'POST',
      body: JSON.stringify(
        debtor({ DbId: '10001' }, { BcCo: 'ORG-1', Nm: 'Jansen B.V.', EmAd: 'info@jansen.test' }),
      ),
    });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ results: { KnSalesRelationOrg: { DbId: '10001', BcCo: 'ORG-1' } } });
    const again = await call('/connectors/KnSalesRelationOrg', {
      method: 'POST',
      body: JSON.stringify(debtor({ DbId: '10002' }, { BcCo: 'ORG-1', Nm: 'Jansen Groep B.V.' })),
    });
    expect(await again.json()).toEqual({ results: { KnSalesRelationOrg: { DbId: '10002', BcCo: 'ORG-1' } } });
    expect(sandbox.store.organisations.size).toBe(1);
    const taken = await call('/connectors/KnSalesRelationOrg', {
      method: 'POST',
      body: JSON.stringify(debtor({ DbId: '10001' }, { BcCo: 'ORG-2', Nm: 'Other' })),
    });
    expect(taken.status).toBe(500);
    const refusal = (await taken.json()) as Record<string, unknown>;
    expect(refusal.externalMessage).toMatch(/10001 bestaat al/);
    expect(refusal.profitLogReference).toMatch(/^[0-9a-f]{32}$/);
  });

  it('pages a GetConnector by skip and take in the order asked for', async () => {
    for (let i = 3; i <= 7; i++)
      await call('/connectors/KnSalesRelationOrg', {
        method: 'POST',
        body: JSON.stringify(debtor({ DbId: `1000${i}` }, { BcCo: `ORG-${i}`, Nm: `Debtor ${i}` })),
      });
    const pages: string[][] = [];
    for (let skip = 0; ; skip += 3) {
      const reply = await call(`/connectors/Profit_Debtor?skip=${skip}&take=3&orderbyfieldids=-DebtorId`);
      const body = (await reply.json()) as { rows: { DebtorId: string }[] };
      pages.push(body.rows.map((row) => row.DebtorId));
      if (body.rows.length < 3) break;
    }
    expect(pages).toEqual([['10007', '10006', '10005'], ['10004', '10003', '10002'], ['10001']]);
    const filtered = await call(
      '/connectors/Profit_Debtor?filterfieldids=DebtorId&filtervalues=10004&operatortypes=2&orderbyfieldids=DebtorId',
    );
    expect(((await filtered.json()) as { rows: unknown[] }).rows).toHaveLength(4);
  });

  it('refuses a request the official files refuse (a required field missing) before it does anything', async () => {
    const before = sandbox.store.debtors.size;
    const reply = await call('/connectors/KnSalesRelationOrg', {
      method: 'POST',
      body: JSON.stringify({ KnSalesRelationOrg: { Element: { Fields: { IsDb: true } } } }),
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(await reply.json())).toMatch(/CuId/);
    expect(sandbox.store.debtors.size).toBe(before);
  });

  it('checks every request and response it handled against the files', () => {
    const { requests, responses } = sandbox.validation();
    expect(requests).toBeGreaterThanOrEqual(12);
    expect(responses).toBeGreaterThanOrEqual(11);
  });
});
