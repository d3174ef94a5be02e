import Decimal from 'decimal.js';
import { type AccountingFigures, scalarText, SwitchyardError, Totals } from '../../src/connectors';
import { EXACT_RESOURCES, type ExactResource, GL_TYPES, TRANSACTION_LINES } from './exact.facts';

type Row = Record<string, any>;
type Pages = (resource: ExactResource, fields: string[]) => AsyncIterable<{ records: Row[] }>;

const trimmed = (value: unknown) => scalarText(value).trim();
const msOf = (value: unknown) => Number(/\/Date\((-?\d+)\)\//.exec(scalarText(value))?.[1] ?? NaN);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`);

/**
 * An Exact Online division's books, read from its transaction lines (sync/Financial/TransactionLines, 1,000 a
 * call, once a run): each ledger account's balance at the cut-off date, the invoices still open on the
 * receivable and payable accounts at that date, and the VAT booked per code. Everything dated before the
 * cut-off counts; what is booked on it or later belongs to the new administration.
 *
 * The opening balance leaves the receivable and payable accounts out: their balance is the open items', which
 * move one by one with their relation. The VAT accounts' balance is kept per VAT code, so the VAT per code
 * stays provable after the switch.
 */
export class ExactBooks {
  private cache?: Promise<{ lines: Row[]; accounts: Map<string, Row>; vatCodes: Map<string, Row> }>;

  constructor(
    private readonly pages: Pages,
    private readonly cutoffDate: string | undefined,
  ) {}

  /** Native opening-balance records: one per account (per VAT code on VAT accounts) with a balance. */
  async openingBalances(): Promise<Row[]> {
    const cutoff = this.cutoff();
    const { lines, accounts, vatCodes } = await this.read();
    const balances = new Map<string, Row>();
    for (const line of lines) {
      if (msOf(line.Date) >= dayStart(cutoff)) continue;
      const account = accounts.get(scalarText(line.GLAccount));
      const type = Number(account?.Type);
      if (type === GL_TYPES.receivable || type === GL_TYPES.payable) continue;
      const code = trimmed(line.GLAccountCode);
      const vat = type === GL_TYPES.vat ? trimmed(line.VATCode) : '';
      const id = `${cutoff}/${code}${vat ? `/${vat}` : ''}`;
      const balance = balances.get(id) ?? {
        ID: id,
        Date: cutoff,
        GLAccount: scalarText(line.GLAccount),
        GLAccountCode: code,
        GLAccountDescription: account?.Description ?? null,
        VATCode: vat || null,
        VATCodeID: vat ? (vatCodes.get(vat)?.ID ?? null) : null,
        sum: new Decimal(0),
      };
      balance.sum = (balance.sum as Decimal).plus(line.AmountDC ?? 0);
      balances.set(id, balance);
    }
    return [...balances.values()]
      .filter((balance) => !(balance.sum as Decimal).isZero())
      .map(({ sum, ...balance }) => ({
        ...balance,
        Debit: Decimal.max(sum as Decimal, 0).toFixed(2),
        Credit: Decimal.max((sum as Decimal).negated(), 0).toFixed(2),
      }));
  }

  /** Native open items: per relation and invoice number, what is open on the receivable or payable accounts. */
  async openItems(): Promise<Row[]> {
    const cutoff = this.cutoff();
    const { lines, accounts } = await this.read();
    const items = new Map<string, Row>();
    for (const line of lines) {
      if (msOf(line.Date) >= dayStart(cutoff) || !line.Account) continue;
      const type = Number(accounts.get(scalarText(line.GLAccount))?.Type);
      const kind =
        type === GL_TYPES.receivable ? 'receivable' : type === GL_TYPES.payable ? 'payable' : undefined;
      if (!kind) continue;
      const id = `${kind}/${trimmed(line.AccountCode)}/${scalarText(line.InvoiceNumber)}`;
      const item = items.get(id) ?? {
        ID: id,
        Kind: kind,
        Account: scalarText(line.Account),
        AccountCode: trimmed(line.AccountCode),
        InvoiceNumber: scalarText(line.InvoiceNumber),
        InvoiceDate: isoDay(msOf(line.Date)),
        DueDate: null,
        Description: line.Description ?? null,
        sum: new Decimal(0),
      };
      // The invoice's own line carries its due date (payments carry none): its date is the invoice's.
      if (item.DueDate === null && Number.isFinite(msOf(line.DueDate))) {
        item.DueDate = isoDay(msOf(line.DueDate));
        item.InvoiceDate = isoDay(msOf(line.Date));
      }
      item.sum = (item.sum as Decimal).plus(line.AmountDC ?? 0);
      items.set(id, item);
    }
    return [...items.values()]
      .filter((item) => !(item.sum as Decimal).isZero())
      .map(({ sum, ...item }) => ({
        ...item,
        // Positive is owed: to the business on a receivable, by it on a payable.
        Amount: (item.Kind === 'payable' ? (sum as Decimal).negated() : (sum as Decimal)).toFixed(2),
      }));
  }

  /** The accountant's figures over everything booked before `before` (an ISO date). */
  async figures(before: string, currency: string): Promise<AccountingFigures> {
    const { lines, accounts } = await this.read();
    const [trialBalance, openItems, vat] = [new Totals(), new Totals(), new Totals()];
    for (const line of lines) {
      if (msOf(line.Date) >= dayStart(before)) continue;
      const amount = line.AmountDC ?? 0;
      const type = Number(accounts.get(scalarText(line.GLAccount))?.Type);
      trialBalance.add(trimmed(line.GLAccountCode), amount);
      if (type === GL_TYPES.vat && trimmed(line.VATCode)) vat.add(trimmed(line.VATCode), amount);
      if (line.Account && type === GL_TYPES.receivable)
        openItems.add(`receivable:${trimmed(line.AccountCode)}`, amount);
      if (line.Account && type === GL_TYPES.payable)
        openItems.add(`payable:${trimmed(line.AccountCode)}`, new Decimal(amount).negated());
    }
    return {
      currency,
      trialBalance: trialBalance.toRecord(),
      openItems: openItems.toRecord(),
      vat: vat.toRecord(),
    };
  }

  private cutoff(): string {
    if (!this.cutoffDate)
      throw new SwitchyardError(
        'PLAN_INVALID',
        'opening balances and open items are read at a cut-off date: set options.cutoffDate in the plan',
      );
    return this.cutoffDate;
  }

  private read() {
    this.cache ??= (async () => {
      const collect = async (resource: ExactResource, fields: string[]) => {
        const rows: Row[] = [];
        for await (const page of this.pages(resource, fields)) rows.push(...page.records);
        return rows;
      };
      const [lines, accounts, vatCodes] = await Promise.all([
        collect(TRANSACTION_LINES, TRANSACTION_LINES.fields),
        collect(EXACT_RESOURCES.ledgerAccounts, ['ID', 'Code', 'Description', 'Type']),
        collect(EXACT_RESOURCES.vatCodes, ['ID', 'Code']),
      ]);
      return {
        lines,
        accounts: new Map(accounts.map((row) => [scalarText(row.ID), row])),
        vatCodes: new Map(vatCodes.map((row) => [trimmed(row.Code), row])),
      };
    })();
    this.cache.catch(() => (this.cache = undefined));
    return this.cache;
  }
}
