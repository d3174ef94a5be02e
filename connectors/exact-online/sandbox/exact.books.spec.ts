import Decimal from 'decimal.js';
import { EXACT_SANDBOX_CREDENTIALS, type ExactSandbox, startExactSandbox } from './exact.sandbox';

type Row = Record<string, any>;

/** A generated administration's books, as a client of Exact's API reads them. */
describe('Exact Online sandbox: the books', () => {
  let sandbox: ExactSandbox;
  let headers: Record<string, string>;
  const size = {
    customers: 8,
    suppliers: 3,
    items: 6,
    invoices: 40,
    open: 9,
    purchaseInvoices: 10,
    purchaseOpen: 4,
  };
  const all = async (path: string): Promise<{ rows: Row[]; pages: number }> => {
    const rows: Row[] = [];
    let pages = 0;
    let url: string | undefined = `${sandbox.url}/api/v1/${sandbox.store.division}/${path}`;
    while (url) {
      const reply = await fetch(url, { headers });
      expect(reply.status).toBe(200);
      const body = (await reply.json()) as { d: { results: Row[]; __next?: string } };
      rows.push(...body.d.results);
      pages++;
      url = body.d.__next;
    }
    return { rows, pages };
  };

  beforeAll(async () => {
    sandbox = await startExactSandbox({ port: 0, seed: { administration: { ...size, seed: 3 } } });
    const reply = await fetch(`${sandbox.url}/api/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: EXACT_SANDBOX_CREDENTIALS.refreshToken,
        client_id: EXACT_SANDBOX_CREDENTIALS.clientId,
        client_secret: EXACT_SANDBOX_CREDENTIALS.clientSecret,
      }),
    });
    headers = {
      authorization: `Bearer ${((await reply.json()) as Row).access_token}`,
      accept: 'application/json',
    };
  });
  afterAll(() => sandbox.close());

  it('serves the transaction lines of every booking through the sync endpoint, each entry in balance', async () => {
    const { rows, pages } = await all(
      `sync/Financial/TransactionLines?$filter=${encodeURIComponent('Timestamp gt 1L')}&$select=ID,EntryNumber,Date,GLAccountCode,AmountDC,Account,InvoiceNumber,Timestamp`,
    );
    expect(pages).toBe(Math.ceil(rows.length / 1000) || 1);
    const entries = new Map<number, Decimal>();
    for (const line of rows)
      entries.set(line.EntryNumber, (entries.get(line.EntryNumber) ?? new Decimal(0)).plus(line.AmountDC));
    // Every invoice, purchase, payment, rent and the opening entry: none out of balance.
    expect(entries.size).toBeGreaterThan(size.invoices + size.purchaseInvoices);
    expect([...entries.values()].filter((sum) => !sum.isZero())).toEqual([]);
    expect(rows.every((line) => /^\/Date\(\d+\)\/$/.test(line.Date))).toBe(true);
  });

  it('lists what is open per relation and invoice; payables positive when owed', async () => {
    const receivables = (await all('read/financial/ReceivablesList?$select=AccountCode,InvoiceNumber,Amount'))
      .rows;
    const payables = (await all('read/financial/PayablesList?$select=AccountCode,InvoiceNumber,Amount')).rows;
    expect(receivables).toHaveLength(size.open);
    expect(payables).toHaveLength(size.purchaseOpen);
    expect(payables.every((row) => row.Amount > 0)).toBe(true);
    // The receivable account's balance is what the list says is open.
    const lines = (
      await all(
        `sync/Financial/TransactionLines?$filter=${encodeURIComponent('Timestamp gt 1L')}&$select=GLAccountCode,AmountDC`,
      )
    ).rows;
    const balance = (code: string) =>
      lines
        .filter((line) => line.GLAccountCode === code)
        .reduce((sum, line) => sum.plus(line.AmountDC), new Decimal(0));
    const open = (rows: Row[]) => rows.reduce((sum, row) => sum.plus(row.Amount), new Decimal(0));
    expect(balance('1300').toFixed(2)).toBe(open(receivables).toFixed(2));
    expect(balance('1600').negated().toFixed(2)).toBe(open(payables).toFixed(2));
  });

  it('refuses writing a transaction line on its own', async () => {
    const reply = await fetch(
      `${sandbox.url}/api/v1/${sandbox.store.division}/financialtransaction/TransactionLines`,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ AmountDC: 1 }),
      },
    );
    expect(reply.status).toBe(405);
    expect(((await reply.json()) as Row).error.message.value).toMatch(/can only be read/);
  });
});
