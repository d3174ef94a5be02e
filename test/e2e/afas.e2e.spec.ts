import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ExactSandbox, startExactSandbox } from '../../connectors/exact-online/sandbox/exact.sandbox';
import {
  AFAS_SANDBOX_TOKEN_DATA,
  type AfasSandbox,
  afasToken,
  startAfasSandbox,
} from '../../connectors/afas/sandbox/afas.sandbox';
import { prepareMigration, runMigration, type RunResult } from '../../src/engine/migration.runner';
import { type MigrationPlan, parsePlan } from '../../src/plan/migration-plan';
import { reconcile } from '../../src/reconcile/reconcile';
import { exactCredentials, exactList } from '../helpers/exact-api';
import { startFaultProxy } from '../helpers/fault-proxy';
import { sqliteLedger, type TestLedger } from '../helpers/ledger';

const EXAMPLES = resolve(__dirname, '../../examples');
const seed = (file: string) =>
  JSON.parse(readFileSync(resolve(EXAMPLES, file), 'utf8')) as Record<string, unknown>;
const TOKEN = afasToken(AFAS_SANDBOX_TOKEN_DATA);

/** A GetConnector read whole, as AFAS's own API gives it. */
async function profitRows(
  afas: AfasSandbox,
  connector: string,
  orderBy: string,
): Promise<Record<string, any>[]> {
  const reply = await fetch(
    `${afas.url}/connectors/${connector}?skip=-1&take=-1&orderbyfieldids=${orderBy}`,
    {
      headers: { authorization: `AfasToken ${TOKEN}`, 'accept-language': 'nl-nl' },
    },
  );
  return ((await reply.json()) as { rows: Record<string, any>[] }).rows;
}

function switchPlan(exact: ExactSandbox, afasUrl: string): MigrationPlan {
  return parsePlan(
    {
      name: 'exact-to-afas',
      source: { platform: 'exact-online', url: exact.url, credentials: exactCredentials(exact) },
      destination: { platform: 'afas', url: afasUrl, credentials: { token: TOKEN } },
      entities: ['vatCodes', 'ledgerAccounts', 'organizations', 'items'],
    },
    process.cwd(),
  );
}

async function run(t: TestLedger, plan: MigrationPlan): Promise<RunResult> {
  return runMigration(await prepareMigration(plan, { vault: t.vault }), t.ledger);
}

const created = (result: RunResult) =>
  Object.fromEntries(Object.entries(result.entities).map(([entity, c]) => [entity, c.created]));

describe('Exact Online → AFAS Profit', () => {
  let exact: ExactSandbox;
  let afas: AfasSandbox;
  beforeEach(async () => {
    exact = await startExactSandbox({ port: 0, seed: seed('exact-online-admin-seed.json') });
    afas = await startAfasSandbox({ port: 0, seed: seed('afas-seed.json') });
  });
  afterEach(async () => {
    // Every request the connector sent and every response the sandbox gave, checked against AFAS's own files.
    const { requests, responses, failures } = afas.validation();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(0);
    expect(responses).toBeGreaterThan(0);
    await Promise.all([exact.close(), afas.close()]);
  });

  it("moves customers and suppliers (one organisation each) and items; AFAS's GetConnectors hold each once", async () => {
    const t = await sqliteLedger();
    try {
      const plan = switchPlan(exact, afas.url);
      const writes = afas.counters().writes;
      const result = await run(t, plan);
      expect(result.status).toBe('completed');
      // Profit's own chart of accounts and VAT codes are matched, never written.
      expect([result.entities.vatCodes.updated, result.entities.ledgerAccounts.updated]).toEqual([3, 3]);
      // One call a relation (24 debtors, 9 creditors, three of them the same organisation) and a call an article.
      expect(afas.counters().writes - writes).toBe(24 + 9 + 30);
      const accounts = await exactList(exact, 'sync/CRM/Accounts', 'ID,Code,Status,IsSupplier');
      const customers = accounts.filter((account) => account.Status === 'C');
      const suppliers = accounts.filter((account) => account.IsSupplier);
      const debtors = await profitRows(afas, 'Profit_Debtor', 'DebtorId');
      const creditors = await profitRows(afas, 'Profit_Creditor', 'CreditorId');
      expect(debtors.map((row) => row.DebtorId).sort()).toEqual(
        customers.map((a) => String(a.Code).trim()).sort(),
      );
      expect(creditors.map((row) => row.CreditorId).sort()).toEqual(
        suppliers.map((a) => String(a.Code).trim()).sort(),
      );
      // An account that is both is one organisation with two relations.
      const both = customers.filter((account) => account.IsSupplier).map((a) => String(a.Code).trim());
      expect(both.length).toBeGreaterThan(0);
      for (const code of both)
        expect(creditors.find((row) => row.CreditorId === code)?.BcCo).toBe(
          debtors.find((row) => row.DebtorId === code)?.BcCo,
        );
      expect(afas.store.organisations.size).toBe(accounts.length);
      const items = await exactList(exact, 'sync/Logistics/Items', 'ID,Code');
      const articles = await profitRows(afas, 'Profit_Article', 'ItemCode');
      expect(articles.map((row) => row.ItemCode).sort()).toEqual(
        items.map((item) => String(item.Code).trim()).sort(),
      );
      expect((await reconcile(await prepareMigration(plan, { vault: t.vault }), t.ledger)).verdict).toBe(
        'pass',
      );
      const before = afas.counters().writes;
      expect(created(await run(t, plan))).toEqual({
        vatCodes: 0,
        ledgerAccounts: 0,
        organizations: 0,
        items: 0,
      });
      expect(afas.counters().writes).toBe(before);
    } finally {
      await t.close();
    }
  });

  it('loses every insert reply after Profit saved it and still holds each relation and article once', async () => {
    const proxy = await startFaultProxy(afas.url.replace(/\/ProfitRestServices$/, ''), [
      { when: (request) => request.method === 'POST', fault: 'lose-reply', every: 1 },
    ]);
    const t = await sqliteLedger();
    try {
      const plan = switchPlan(exact, `${proxy.url}/ProfitRestServices`);
      const first = await run(t, plan);
      // Each lost insert is looked up before anything is sent again: found, it is updated, never inserted twice.
      expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(30);
      expect(first.status).toBe('completed');
      const debtors = await profitRows(afas, 'Profit_Debtor', 'DebtorId');
      expect(new Set(debtors.map((row) => row.DebtorId)).size).toBe(debtors.length);
      expect(debtors).toHaveLength(24);
      expect(await profitRows(afas, 'Profit_Creditor', 'CreditorId')).toHaveLength(9);
      expect(await profitRows(afas, 'Profit_Article', 'ItemCode')).toHaveLength(30);
      expect(afas.store.organisations.size).toBe(30);
    } finally {
      await Promise.all([t.close(), proxy.close()]);
    }
  });

  it('quarantines what Profit refuses with its own words and log reference; the rest loads', async () => {
    await afas.close();
    afas = await startAfasSandbox({
      port: 0,
      seed: { ...seed('afas-seed.json'), articleGroups: ['HANDEL'] },
    });
    const t = await sqliteLedger();
    try {
      const result = await run(t, switchPlan(exact, afas.url));
      expect(result.entities.organizations.created).toBe(30);
      expect(result.entities.items.failed).toBe(30);
      expect(result.problems[0].reason).toMatch(
        /^Artikelgroep ALG bestaat niet\. \(Profit log reference [0-9a-f]{32}\)$/,
      );
    } finally {
      await t.close();
    }
  });

  it('refuses a ledger account or VAT code Profit lacks, or holds otherwise, naming it', async () => {
    await afas.close();
    const profit = seed('afas-seed.json');
    profit.accounts = (profit.accounts as { Account: string }[]).filter(
      (account) => account.Account !== '8000',
    );
    profit.vatCodes = (profit.vatCodes as { VatCode: string; VatPerc: number }[]).map((code) =>
      code.VatCode === '1' ? { ...code, VatPerc: 6 } : code,
    );
    afas = await startAfasSandbox({ port: 0, seed: profit });
    const t = await sqliteLedger();
    try {
      const result = await run(t, switchPlan(exact, afas.url));
      expect(result.problems.map((problem) => problem.reason).sort()).toEqual([
        'AFAS Profit has no ledger account 8000; add it to the chart of accounts (Algemeen > Grootboekrekeningen) in Profit, then run again',
        "AFAS Profit's VAT code 1 has VatPerc 6, the source's 9.00; correct one of them, then run again",
      ]);
    } finally {
      await t.close();
    }
  });

  it('refuses an organisation that is neither customer nor supplier, writing nothing for it', async () => {
    await exact.close();
    const admin = seed('exact-online-admin-seed.json');
    admin.Accounts = [
      ...(admin.Accounts as object[]),
      { Code: '999', Name: 'Prospect B.V.', Status: 'A', IsSales: false, IsSupplier: false },
    ];
    exact = await startExactSandbox({ port: 0, seed: admin });
    const t = await sqliteLedger();
    try {
      const writes = afas.counters().writes;
      const result = await run(t, switchPlan(exact, afas.url));
      expect(result.entities.organizations).toMatchObject({ created: 30, failed: 1 });
      expect(result.problems.map((problem) => problem.reason)).toEqual([
        'the organisation is neither a customer nor a supplier: AFAS holds organisations through their debtor or creditor relation',
      ]);
      expect(afas.counters().writes - writes).toBe(24 + 9 + 30);
      expect(afas.store.organisations.size).toBe(30);
    } finally {
      await t.close();
    }
  });
});
