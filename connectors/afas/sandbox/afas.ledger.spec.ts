import { AFAS_SANDBOX_TOKEN_DATA, type AfasSandbox, afasToken, startAfasSandbox } from './afas.sandbox';

type Row = Record<string, any>;

/** Profit's financial entries (FiEntries) and the GetConnectors that read the books back, through plain HTTP. */
describe('AFAS Profit sandbox: the books', () => {
  let sandbox: AfasSandbox;
  let entry = 100;
  const headers = {
    authorization: `AfasToken ${afasToken(AFAS_SANDBOX_TOKEN_DATA)}`,
    'content-type': 'application/json',
    'accept-language': 'nl-nl',
  };
  const book = (lines: Row[], fields: Row = {}) =>
    fetch(`${sandbox.url}/connectors/FiEntries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        FiEntryPar: {
          Element: {
            Fields: { Year: 2026, Peri: 7, JoCo: '90', ...fields },
            Objects: [
              {
                FiEntries: {
                  Element: lines.map((line) => ({
                    Fields: { EnNo: entry, EnDa: '2026-07-01', BpDa: '2026-07-01', ...line },
                  })),
                },
              },
            ],
          },
        },
      }),
    });
  const rows = async (connector: string, orderBy: string) =>
    (
      (await (
        await fetch(
          `${sandbox.url}/connectors/${connector}?skip=-1&take=-1&orderbyfieldids=${encodeURIComponent(orderBy)}`,
          {
            headers,
          },
        )
      ).json()) as { rows: Row[] }
    ).rows;
  const refusal = async (reply: Response) => {
    expect(reply.status).toBe(500);
    const body = (await reply.json()) as Row;
    expect(body.profitLogReference).toMatch(/^[0-9a-f]{32}$/);
    return String(body.externalMessage);
  };

  beforeAll(async () => {
    sandbox = await startAfasSandbox({
      port: 0,
      seed: {
        vatCodes: [{ VatCode: '2', Description: 'Btw hoog', VatPerc: 21, AccountNr: '1500', Blocked: false }],
        accounts: [
          { Account: '0999', Description: 'Tussenrekening', Type: 'B', Blocked: false },
          {
            Account: '1300',
            Description: 'Debiteuren',
            Type: 'B',
            Blocked: false,
            CollectAccount: true,
            CollectAccountType: 'D',
          },
          { Account: '1500', Description: 'Btw hoog', Type: 'B', Blocked: false },
          { Account: '8000', Description: 'Omzet', Type: 'W', Blocked: false },
        ],
      },
    });
    sandbox.store.relation(
      'debtor',
      { DbId: '10001' },
      sandbox.store.organisation({ BcCo: '10001', Nm: 'Jansen' }),
    );
  });
  afterAll(() => sandbox.close());
  afterEach(() => {
    entry++;
    expect(sandbox.validation().failures).toEqual([]);
  });

  it('books a balanced entry and reads it back per line, per period and per debtor invoice', async () => {
    const reply = await book([
      { VaAs: '2', AcNr: '10001', InId: '26000001', BpDa: '2026-05-04', DaEx: '2026-06-03', AmDe: 121 },
      { VaAs: '1', AcNr: '8000', AmCr: 100 },
      { VaAs: '1', AcNr: '1500', VaId: '2', AmCr: 21 },
    ]);
    expect(reply.status).toBe(201);
    const lines = (await rows('Profit_Transactions', 'EntryNo')).filter((line) => line.EntryNo === entry);
    // The debtor's line counts on its collective account; the VAT line is VAT of its code.
    expect(lines.map((line) => [line.AccountNo, line.AmtDebit, line.AmtCredit, line.VatAmt])).toEqual([
      ['1300', 121, 0, 0],
      ['8000', 0, 100, 0],
      ['1500', 0, 21, -21],
    ]);
    // Ordered on several fields, as Profit takes them: the first that differs decides.
    const reversed = (await rows('Profit_Transactions', 'EntryNo,-SeqNo')).filter(
      (line) => line.EntryNo === entry,
    );
    expect(reversed.map((line) => line.SeqNo)).toEqual([3, 2, 1]);
    const periods = await rows('Profit_Period_balance', 'AccountNr');
    expect(periods.find((row) => row.AccountNr === '1300')).toMatchObject({
      Year: 2026,
      Period: 7,
      Balance: 121,
    });
    expect(await rows('Profit_Debtor_Invoices', 'InvoiceNr')).toEqual([
      expect.objectContaining({ DebtorId: '10001', InvoiceNr: '26000001', AmtInvoice: 121, Balance: 121 }),
    ]);
  });

  it('refuses an entry out of balance, naming the difference, and books none of it', async () => {
    const before = sandbox.store.ledger.lines.length;
    const message = await refusal(
      await book([
        { VaAs: '1', AcNr: '8000', AmCr: 100 },
        { VaAs: '1', AcNr: '0999', AmDe: 99.99 },
      ]),
    );
    expect(message).toMatch(/niet in balans.*-0\.01/);
    expect(sandbox.store.ledger.lines).toHaveLength(before);
  });

  it('refuses a line on a collective account, an unknown debtor, journal or VAT code, and a number taken', async () => {
    expect(
      await refusal(
        await book([
          { VaAs: '1', AcNr: '1300', AmDe: 5 },
          { VaAs: '1', AcNr: '0999', AmCr: 5 },
        ]),
      ),
    ).toMatch(/verzamelrekening 1300/);
    expect(
      await refusal(
        await book([
          { VaAs: '2', AcNr: '99999', InId: '1', AmDe: 5 },
          { VaAs: '1', AcNr: '0999', AmCr: 5 },
        ]),
      ),
    ).toMatch(/debiteur 99999 bestaat niet/);
    expect(
      await refusal(
        await book(
          [
            { VaAs: '1', AcNr: '8000', AmDe: 5 },
            { VaAs: '1', AcNr: '0999', AmCr: 5 },
          ],
          { JoCo: '77' },
        ),
      ),
    ).toMatch(/Dagboek 77/);
    expect(
      await refusal(
        await book([
          { VaAs: '1', AcNr: '8000', AmDe: 5, VaId: '9' },
          { VaAs: '1', AcNr: '0999', AmCr: 5 },
        ]),
      ),
    ).toMatch(/Btw-code 9/);
    expect(
      (
        await book([
          { VaAs: '1', AcNr: '8000', AmDe: 5 },
          { VaAs: '1', AcNr: '0999', AmCr: 5 },
        ])
      ).status,
    ).toBe(201);
    expect(
      await refusal(
        await book([
          { VaAs: '1', AcNr: '8000', AmDe: 5 },
          { VaAs: '1', AcNr: '0999', AmCr: 5 },
        ]),
      ),
    ).toMatch(new RegExp(`Boekstuknummer ${entry} bestaat al`));
  });

  it('refuses, by the official files, an entry without its required fields', async () => {
    const reply = await fetch(`${sandbox.url}/connectors/FiEntries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ FiEntryPar: { Element: { Fields: { Year: 2026, JoCo: '90' } } } }),
    });
    expect(reply.status).toBe(400);
    expect(String(((await reply.json()) as Row).externalMessage)).toMatch(/Peri/);
  });
});
