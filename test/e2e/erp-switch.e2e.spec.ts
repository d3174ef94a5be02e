import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Decimal from 'decimal.js';
import {
  AFAS_SANDBOX_TOKEN_DATA,
  type AfasSandbox,
  afasToken,
  startAfasSandbox,
} from '../../connectors/afas/sandbox/afas.sandbox';
import { type ExactSandbox, startExactSandbox } from '../../connectors/exact-online/sandbox/exact.sandbox';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { parsePlan } from '../../src/plan/migration-plan';
import { reconcile, type Reconciliation } from '../../src/reconcile/reconcile';
import { runCli } from '../helpers/cli';
import { exactCredentials, exactList } from '../helpers/exact-api';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy';
import { sqliteLedger } from '../helpers/ledger';

type Row = Record<string, any>;
const EXAMPLES = resolve(__dirname, '../../examples');
const seed = (file: string) =>
  JSON.parse(readFileSync(resolve(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
const TOKEN = afasToken(AFAS_SANDBOX_TOKEN_DATA);
const CUTOFF = '2026-07-01';
const cents = (value: Decimal.Value) => new Decimal(value).toFixed(2);

async function profitRows(afas: AfasSandbox, connector: string, orderBy: string): Promise<Row[]> {
  const reply = await fetch(
    `${afas.url}/connectors/${connector}?skip=-1&take=-1&orderbyfieldids=${orderBy}`,
    { headers: { authorization: `AfasToken ${TOKEN}`, 'accept-language': 'nl-nl' } },
  );
  return ((await reply.json()) as { rows: Row[] }).rows;
}

/** Sums per key, as decimal strings without the zeros. */
function sums(rows: Row[], key: (row: Row) => string | undefined, amount: (row: Row) => Decimal.Value) {
  const totals = new Map<string, Decimal>();
  for (const row of rows) {
    const k = key(row);
    if (k !== undefined) totals.set(k, (totals.get(k) ?? new Decimal(0)).plus(amount(row)));
  }
  return Object.fromEntries(
    [...totals].filter(([, sum]) => !sum.isZero()).map(([k, sum]) => [k, sum.toFixed(2)]),
  );
}

/**
 * The acceptance switch: a generated Exact Online administration (a chart of accounts, 6 VAT codes, 200
 * customers, 40 suppliers, 300 items, 1,500 invoices of which 180 open, books from January to June) into
 * AFAS Profit at a cut-off date mid-year, through the CLI. What it must hold is read from Exact's own API
 * (its transaction lines, receivables and payables lists) and checked through Profit's own GetConnectors.
 */
describe('ERP switch: Exact Online → AFAS Profit at a cut-off date', () => {
  let exact: ExactSandbox;
  let afas: AfasSandbox;
  let proxy: FaultProxy;
  let kill = () => {};
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-erp-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'ledger.db')}` };
  const planFile = join(dir, 'plan.json');
  const plan = (refreshToken: string, afasUrl: string) => ({
    name: 'erp-switch',
    source: {
      platform: 'exact-online',
      url: exact.url,
      credentials: { ...exactCredentials(exact), refreshToken },
    },
    destination: { platform: 'afas', url: afasUrl, credentials: { token: TOKEN } },
    entities: ['vatCodes', 'ledgerAccounts', 'organizations', 'items', 'openingBalances', 'openItems'],
    options: { batchSize: 50, concurrency: 2, cutoffDate: CUTOFF, openingBalanceAccount: '0999' },
  });
  const fiEntries = () => afas.store.ledger.lines.length / 2;

  beforeAll(async () => {
    exact = await startExactSandbox({ port: 0, seed: seed('exact-online-administration.json') });
    afas = await startAfasSandbox({ port: 0, seed: seed('afas-administration-seed.json') });
    // The 80th booking reaches Profit and is saved; the CLI is killed before it hears the answer.
    proxy = await startFaultProxy(afas.url.replace(/\/ProfitRestServices$/, ''), [
      {
        when: (request) => request.method === 'POST' && request.path.includes('/connectors/FiEntries'),
        fault: 'kill-after',
        every: 1e9,
        offset: 79,
        limit: 1,
        onFault: () => kill(),
      },
    ]);
    writeFileSync(
      planFile,
      JSON.stringify(plan(exactCredentials(exact).refreshToken, `${proxy.url}/ProfitRestServices`)),
    );
  });
  afterAll(async () => {
    await Promise.all([exact?.close(), afas?.close(), proxy?.close()]);
  });

  it('is killed mid open items, resumed, and holds every relation, article, balance and open item once', async () => {
    const killed = await runCli(['migrate', planFile, '--json'], env, (killer) => (kill = killer));
    expect(killed.signal).toBe('SIGKILL');
    // Killed among the open items: the opening balances (11) and part of them are booked.
    expect(fiEntries()).toBeGreaterThanOrEqual(80);
    expect(fiEntries()).toBeLessThan(11 + 220);

    const resumed = await runCli(['migrate', planFile, '--json'], env);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout) as { status: string };
    expect(result.status).toBe('completed');

    const accounts = await exactList(exact, 'sync/CRM/Accounts', 'ID,Code,Status,IsSupplier');
    const debtors = await profitRows(afas, 'Profit_Debtor', 'DebtorId');
    const creditors = await profitRows(afas, 'Profit_Creditor', 'CreditorId');
    expect(debtors.map((row) => row.DebtorId).sort()).toEqual(
      accounts
        .filter((a) => a.Status === 'C')
        .map((a) => String(a.Code).trim())
        .sort(),
    );
    expect(debtors).toHaveLength(200);
    expect(creditors.map((row) => row.CreditorId).sort()).toEqual(
      accounts
        .filter((a) => a.IsSupplier)
        .map((a) => String(a.Code).trim())
        .sort(),
    );
    expect(creditors).toHaveLength(40);
    expect(await profitRows(afas, 'Profit_Article', 'ItemCode')).toHaveLength(300);

    // Each open item once, at Exact's own open amount (its receivables and payables lists).
    const receivables = await exactList(
      exact,
      'read/financial/ReceivablesList',
      'AccountCode,InvoiceNumber,Amount',
      null,
    );
    const payables = await exactList(
      exact,
      'read/financial/PayablesList',
      'AccountCode,InvoiceNumber,Amount',
      null,
    );
    expect(receivables).toHaveLength(180);
    const open = (rows: Row[], relation: string, invoice: string, amount: string) =>
      rows
        .filter((row) => Number(row[amount]) !== 0)
        .map((row) => `${String(row[relation]).trim()}/${String(row[invoice])}=${cents(row[amount])}`)
        .sort();
    const debtorInvoices = await profitRows(afas, 'Profit_Debtor_Invoices', 'InvoiceNr');
    expect(open(debtorInvoices, 'DebtorId', 'InvoiceNr', 'Balance')).toEqual(
      open(receivables, 'AccountCode', 'InvoiceNumber', 'Amount'),
    );
    const creditorInvoices = await profitRows(afas, 'Profit_Creditor_Invoices', 'InvoiceNr');
    expect(open(creditorInvoices, 'CreditorId', 'InvoiceNr', 'AmtInvoice')).toEqual(
      open(payables, 'AccountCode', 'InvoiceNumber', 'Amount'),
    );
    // Nothing booked twice: each voucher (the source record's identity) is one entry of two lines.
    const transactions = await profitRows(afas, 'Profit_Transactions', 'EntryNo');
    const vouchers = sums(
      transactions,
      (row) => row.VoucherNo,
      () => 1,
    );
    expect(Object.values(vouchers).every((lines) => lines === '2.00')).toBe(true);
    expect(Object.keys(vouchers)).toHaveLength(11 + 180 + 40);

    // The trial balance Profit computes equals Exact's, from Exact's transaction lines before the cut-off.
    const lines = (
      await exactList(
        exact,
        'sync/Financial/TransactionLines',
        'Date,GLAccountCode,AmountDC,VATCode,GLAccount',
      )
    ).filter((line) => Number(/\d+/.exec(String(line.Date))![0]) < Date.parse(`${CUTOFF}T00:00:00Z`));
    const periods = await profitRows(afas, 'Profit_Period_balance', 'AccountNr');
    expect(
      sums(
        periods,
        (row) => row.AccountNr,
        (row) => row.Balance,
      ),
    ).toEqual(
      sums(
        lines,
        (line) => String(line.GLAccountCode).trim(),
        (line) => line.AmountDC,
      ),
    );
    // The VAT per code, on the VAT accounts (GL type 24).
    const gl = await exactList(exact, 'sync/Financial/GLAccounts', 'ID,Type');
    const vatAccounts = new Set(gl.filter((row) => row.Type === 24).map((row) => row.ID));
    const exactVat = sums(
      lines,
      (line) => (vatAccounts.has(line.GLAccount) ? line.VATCode : undefined),
      (line) => line.AmountDC,
    );
    expect(Object.keys(exactVat).sort()).toEqual(['1', '2', '5']);
    expect(
      sums(
        transactions,
        (row) => row.VatCode,
        (row) => row.VatAmt,
      ),
    ).toEqual(exactVat);

    // Every request the connector sent and every response Profit gave, valid by AFAS's own files.
    const { requests, responses, failures } = afas.validation();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(231);
    expect(responses).toBeGreaterThan(231);
  });

  it('reconciles to the cent: trial balance, open items per relation and VAT per code', async () => {
    const run = await runCli(['reconcile', planFile, '--json'], env);
    const report = JSON.parse(run.stdout) as Reconciliation;
    expect(report.differences).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(run.code).toBe(0);
    const books = report.accounting!;
    expect([books.trialBalance.equal, books.openItems.equal, books.vat.equal]).toEqual([true, true, true]);
    // 13 accounts carry a balance (the transitional account ends at zero); 156 relations have items open.
    expect(books.trialBalance.lines.map((line) => line.key)).not.toContain('0999');
    expect(books.trialBalance.totals).toEqual({ source: '0.00', destination: '0.00' });
    expect(books.openItems.lines.length).toBeGreaterThan(100);
    expect(books.vat.lines.map((line) => line.key)).toEqual(['1', '2', '5']);
  });

  it('writes nothing on a re-run; on an empty ledger it adopts what Profit holds and books nothing again', async () => {
    const writes = afas.counters().writes;
    const booked = fiEntries();
    const again = await runCli(['migrate', planFile, '--json'], env);
    expect(again.code).toBe(0);
    expect(afas.counters().writes).toBe(writes);

    const fresh = join(dir, 'fresh.json');
    // A new ledger: the app is authorized again in Exact (the first ledger's refresh token is its own).
    writeFileSync(fresh, JSON.stringify(plan(exact.issueRefreshToken(), afas.url)));
    const freshEnv = { DATABASE_URL: `sqlite:${join(dir, 'fresh.db')}` };
    const adopted = await runCli(['migrate', fresh, '--json'], freshEnv);
    expect(adopted.stderr).toBe('');
    const counts = (JSON.parse(adopted.stdout) as { entities: Record<string, { created: number }> }).entities;
    expect(Object.values(counts).map((c) => c.created)).toEqual([0, 0, 0, 0, 0, 0]);
    // Relations and articles found are written again as the source has them (an update, never a second
    // one); a booked entry is found by its voucher and never booked again.
    expect(fiEntries()).toBe(booked);
    expect(await profitRows(afas, 'Profit_Debtor', 'DebtorId')).toHaveLength(200);
    expect(await profitRows(afas, 'Profit_Article', 'ItemCode')).toHaveLength(300);
    expect((await runCli(['reconcile', fresh, '--json'], freshEnv)).code).toBe(0);
  });

  it('carries late bookings before the cut-off over as corrections under the same voucher', async () => {
    // The accountant books in Exact after the first run: half of an open invoice paid, and a rent correction.
    const [open] = await exactList(
      exact,
      'read/financial/ReceivablesList',
      'AccountId,AccountCode,InvoiceNumber,Amount',
      null,
    );
    const gl = new Map(
      (await exactList(exact, 'sync/Financial/GLAccounts', 'ID,Code')).map((row) => [row.Code, row.ID]),
    );
    const half = new Decimal(open.Amount).div(2).toDecimalPlaces(2);
    exact.store.book({
      JournalCode: '10',
      Date: '2026-06-30',
      Lines: [
        { GLAccount: gl.get('1100'), AmountDC: half.toNumber() },
        {
          GLAccount: gl.get('1300'),
          AmountDC: half.negated().toNumber(),
          Account: open.AccountId,
          InvoiceNumber: open.InvoiceNumber,
        },
      ],
    });
    exact.store.book({
      JournalCode: '90',
      Date: '2026-06-15',
      Lines: [
        { GLAccount: gl.get('4100'), AmountDC: 100 },
        { GLAccount: gl.get('1100'), AmountDC: -100 },
      ],
    });
    const entries = fiEntries();
    const run = await runCli(['migrate', planFile, '--json'], env);
    expect(run.stderr).toBe('');
    const counts = (
      JSON.parse(run.stdout) as { entities: Record<string, { created: number; updated: number }> }
    ).entities;
    // 1100 and 4100 change, and the one open item: three correction entries, nothing created.
    expect([counts.openingBalances.updated, counts.openItems.updated]).toEqual([2, 1]);
    expect([counts.openingBalances.created, counts.openItems.created]).toEqual([0, 0]);
    expect(fiEntries()).toBe(entries + 3);
    const invoice = (await profitRows(afas, 'Profit_Debtor_Invoices', 'InvoiceNr')).find(
      (row) => row.InvoiceNr === String(open.InvoiceNumber),
    );
    expect(cents(invoice!.Balance)).toBe(cents(new Decimal(open.Amount).minus(half)));
    const report = JSON.parse(
      (await runCli(['reconcile', planFile, '--json'], env)).stdout,
    ) as Reconciliation;
    expect(report.differences).toEqual([]);
    expect(report.verdict).toBe('pass');
  });

  it('names the accounts whose balance differs once Profit holds a booking the source never made', async () => {
    const booked = await fetch(`${afas.url}/connectors/FiEntries`, {
      method: 'POST',
      headers: {
        authorization: `AfasToken ${TOKEN}`,
        'content-type': 'application/json',
        'accept-language': 'nl-nl',
      },
      body: JSON.stringify({
        FiEntryPar: {
          Element: {
            Fields: { Year: 2026, Peri: 7, JoCo: '90' },
            Objects: [
              {
                FiEntries: {
                  Element: [
                    {
                      Fields: {
                        EnNo: 9001,
                        VaAs: '1',
                        AcNr: '4100',
                        EnDa: CUTOFF,
                        BpDa: CUTOFF,
                        AmDe: 12.34,
                      },
                    },
                    {
                      Fields: {
                        EnNo: 9001,
                        VaAs: '1',
                        AcNr: '1100',
                        EnDa: CUTOFF,
                        BpDa: CUTOFF,
                        AmCr: 12.34,
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      }),
    });
    expect(booked.status).toBe(201);
    const html = join(dir, 'report.html');
    const run = await runCli(['reconcile', planFile, '--json', '--html', html], env);
    expect(run.code).toBe(4);
    // The HTML report shows the books: the trial balance in full, the differing accounts marked (4100 holds
    // the year's rent, 15,000.00, and the late correction of 100.00).
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<h2>The books at 2026-07-01 \(EUR\)<\/h2>/);
    expect(page).toMatch(/Trial balance: <span class="verdict fail">DIFFERENT<\/span>/);
    expect(page).toMatch(
      /<tr><td>4100<\/td><td class="n">15100\.00<\/td><td class="n">15112\.34<\/td><td class="n bad">12\.34<\/td><\/tr>/,
    );
    expect(page).toMatch(/VAT per code: <span class="verdict pass">EQUAL<\/span>/);
    const report = JSON.parse(run.stdout) as Reconciliation;
    expect(report.verdict).toBe('fail');
    expect(report.accounting!.trialBalance.differences.map((line) => [line.key, line.difference])).toEqual([
      ['1100', '-12.34'],
      ['4100', '12.34'],
    ]);
    expect([report.accounting!.openItems.equal, report.accounting!.vat.equal]).toEqual([true, true]);
  });
});

describe('ERP switch: one connection, two runs', () => {
  it('finds what its own earlier run booked: a second ledger on the same connection books nothing again', async () => {
    const exact = await startExactSandbox({
      port: 0,
      seed: {
        administration: {
          customers: 6,
          suppliers: 2,
          items: 5,
          invoices: 30,
          open: 6,
          purchaseInvoices: 6,
          purchaseOpen: 2,
        },
      },
    });
    const afas = await startAfasSandbox({ port: 0, seed: seed('afas-administration-seed.json') });
    const [first, second] = [await sqliteLedger(), await sqliteLedger()];
    try {
      const plan = parsePlan(
        {
          name: 'erp-twice',
          source: { platform: 'exact-online', url: exact.url, credentials: exactCredentials(exact) },
          destination: { platform: 'afas', url: afas.url, credentials: { token: TOKEN } },
          entities: ['vatCodes', 'ledgerAccounts', 'organizations', 'items', 'openingBalances', 'openItems'],
          options: { cutoffDate: CUTOFF, openingBalanceAccount: '0999' },
        },
        process.cwd(),
      );
      // A process that prepares once and runs twice (a worker, a retry): the connector's own memory must hold.
      const prepared = await prepareMigration(plan, { vault: first.vault });
      const once = await runMigration(prepared, first.ledger);
      expect(once.status).toBe('completed');
      const entries = afas.store.ledger.lines.length;
      expect(once.entities.openItems.created).toBe(8);
      const again = await runMigration(prepared, second.ledger);
      expect([again.entities.openingBalances.created, again.entities.openItems.created]).toEqual([0, 0]);
      expect(afas.store.ledger.lines.length).toBe(entries);
      expect((await reconcile(prepared, second.ledger)).verdict).toBe('pass');
      expect(afas.validation().failures).toEqual([]);
    } finally {
      await Promise.all([exact.close(), afas.close(), first.close(), second.close()]);
    }
  });
});

describe('ERP switch: replies lost after Profit booked the entry', () => {
  it('loses every third FiEntries reply, and Profit still holds each balance and open item once', async () => {
    const exact = await startExactSandbox({
      port: 0,
      seed: {
        administration: {
          customers: 6,
          suppliers: 2,
          items: 5,
          invoices: 30,
          open: 6,
          purchaseInvoices: 6,
          purchaseOpen: 2,
        },
      },
    });
    const afas = await startAfasSandbox({ port: 0, seed: seed('afas-administration-seed.json') });
    const proxy = await startFaultProxy(afas.url.replace(/\/ProfitRestServices$/, ''), [
      {
        when: (request) => request.method === 'POST' && request.path.includes('/connectors/FiEntries'),
        fault: 'lose-reply',
        every: 3,
      },
    ]);
    const t = await sqliteLedger();
    try {
      const plan = parsePlan(
        {
          name: 'erp-lost',
          source: { platform: 'exact-online', url: exact.url, credentials: exactCredentials(exact) },
          destination: {
            platform: 'afas',
            url: `${proxy.url}/ProfitRestServices`,
            credentials: { token: TOKEN },
          },
          entities: ['vatCodes', 'ledgerAccounts', 'organizations', 'items', 'openingBalances', 'openItems'],
          options: { cutoffDate: CUTOFF, openingBalanceAccount: '0999' },
        },
        process.cwd(),
      );
      const result = await runMigration(await prepareMigration(plan, { vault: t.vault }), t.ledger);
      expect(result.status).toBe('completed');
      expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(5);
      // Through Profit's own API: each voucher one entry of two lines, each open item once.
      const vouchers = sums(
        await profitRows(afas, 'Profit_Transactions', 'EntryNo'),
        (row) => row.VoucherNo,
        () => 1,
      );
      expect(Object.values(vouchers).every((lines) => lines === '2.00')).toBe(true);
      expect(Object.keys(vouchers)).toHaveLength(
        result.entities.openingBalances.created + result.entities.openItems.created,
      );
      const open = await profitRows(afas, 'Profit_Debtor_Invoices', 'InvoiceNr');
      expect(open.filter((row) => row.Balance !== 0)).toHaveLength(6);
      const receivables = await exactList(
        exact,
        'read/financial/ReceivablesList',
        'AccountCode,InvoiceNumber',
        null,
      );
      expect(receivables).toHaveLength(6);
      expect((await reconcile(await prepareMigration(plan, { vault: t.vault }), t.ledger)).verdict).toBe(
        'pass',
      );
    } finally {
      await Promise.all([exact.close(), afas.close(), proxy.close(), t.close()]);
    }
  });
});
