import Decimal from 'decimal.js';
import { scalarText } from '../../../src/connectors';
import { type AfasStore, ProfitError, profitNow } from './afas.store';

type Row = Record<string, any>;

/** One booked line, as Profit keeps it. */
interface Line {
  Year: number;
  Period: number;
  JournalId: string;
  EntryNo: number;
  SeqNo: number;
  /** 1 ledger account, 2 debtor, 3 creditor (FiEntries' VaAs). */
  kind: '1' | '2' | '3';
  /** The ledger account it counts on: its own, or the relation's collective account. */
  AccountNo: string;
  relation?: string;
  debit: Decimal;
  credit: Decimal;
  EntryDate: string;
  VoucherDate: string;
  VoucherNo?: string;
  InvoiceId?: string;
  ExpDate?: string;
  VatCode?: string;
  Description?: string;
  Created: string;
}

const profitDate = (date: unknown) => `${scalarText(date).slice(0, 10)}T00:00:00Z`;

/**
 * Profit's financial mutations: FiEntries (a journal, a year and period, entries of lines on ledger accounts,
 * debtors and creditors) booked only when each entry balances, and the standard GetConnectors that read the
 * books back: Profit_Transactions, Profit_Period_balance, Profit_Debtor_Invoices, Profit_Creditor_Invoices,
 * Profit_Journals. A line on a debtor or creditor counts on its collective account; a collective account
 * takes no line of its own, as in Profit.
 */
export class ProfitLedger {
  readonly lines: Line[] = [];
  readonly journals = new Map<string, Row>();

  constructor(
    private readonly store: AfasStore,
    seed: Record<string, unknown>,
  ) {
    for (const journal of (seed.journals as Row[] | undefined) ?? [
      { JournalId: '90', Description: 'Memoriaal', JournalType: 'M' },
    ])
      this.journals.set(scalarText(journal.JournalId), { UnitId: 1, Blocked: false, ...journal });
  }

  /** Books a FiEntries message; nothing of it is booked unless all of it can be. */
  book(par: Row): { Year: number; JoCo: string; EnNo: number[] } {
    const fields = (par.Fields ?? {}) as Row;
    const year = Number(fields.Year);
    const period = Number(fields.Peri);
    const journal = scalarText(fields.JoCo);
    if (!this.journals.has(journal)) throw new ProfitError(500, `Dagboek ${journal} bestaat niet.`);
    if (!Number.isInteger(period) || period < 1 || period > 12)
      throw new ProfitError(500, `Periode ${scalarText(fields.Peri)} bestaat niet in boekjaar ${year}.`);
    const objects = (Array.isArray(par.Objects) ? par.Objects : [par.Objects]) as Row[];
    const elements = objects.flatMap((object) => {
      const element = (object?.FiEntries as Row | undefined)?.Element as Row[] | Row | undefined;
      return Array.isArray(element) ? element : element ? [element] : [];
    });
    if (elements.length === 0) throw new ProfitError(500, 'De boeking bevat geen regels (FiEntries).');
    const now = profitNow();
    const taken = new Set(
      this.lines
        .filter((line) => line.Year === year && line.JournalId === journal)
        .map((line) => line.EntryNo),
    );
    const drafts = elements.map((element, index): Line => {
      const line = (element.Fields ?? {}) as Row;
      const kind = scalarText(line.VaAs) as Line['kind'];
      const account = scalarText(line.AcNr);
      if (scalarText(line.EnDa).slice(0, 4) !== String(year))
        throw new ProfitError(
          500,
          `Regel ${index + 1}: de boekdatum ${scalarText(line.EnDa)} valt niet in boekjaar ${year}.`,
        );
      if (taken.has(Number(line.EnNo)))
        throw new ProfitError(
          500,
          `Boekstuknummer ${scalarText(line.EnNo)} bestaat al in dagboek ${journal} (${year}).`,
        );
      if (line.VaId !== undefined && !this.store.vatCodes.has(scalarText(line.VaId)))
        throw new ProfitError(500, `Btw-code ${scalarText(line.VaId)} bestaat niet.`);
      return {
        Year: year,
        Period: period,
        JournalId: journal,
        EntryNo: Number(line.EnNo),
        SeqNo: index + 1,
        kind,
        AccountNo: this.accountOf(kind, account, index),
        ...(kind === '1' ? {} : { relation: account }),
        debit: this.amount(line.AmDe, index),
        credit: this.amount(line.AmCr, index),
        EntryDate: profitDate(line.EnDa),
        VoucherDate: profitDate(line.BpDa),
        VoucherNo: line.BpNr === undefined ? undefined : scalarText(line.BpNr),
        InvoiceId: line.InId === undefined ? undefined : scalarText(line.InId),
        ExpDate: line.DaEx === undefined ? undefined : profitDate(line.DaEx),
        VatCode: line.VaId === undefined ? undefined : scalarText(line.VaId),
        Description: line.Ds === undefined ? undefined : scalarText(line.Ds),
        Created: now,
      };
    });
    const entries = new Map<number, Decimal>();
    for (const line of drafts)
      entries.set(
        line.EntryNo,
        (entries.get(line.EntryNo) ?? new Decimal(0)).plus(line.debit).minus(line.credit),
      );
    for (const [entry, difference] of entries)
      if (!difference.isZero())
        throw new ProfitError(
          500,
          `Boeking ${entry} is niet in balans: het verschil is ${difference.toFixed(2)}.`,
        );
    this.lines.push(...drafts);
    return { Year: year, JoCo: journal, EnNo: [...entries.keys()] };
  }

  transactions(): Row[] {
    return this.lines.map((line) => ({
      UnitId: 1,
      EntryNo: line.EntryNo,
      SeqNo: line.SeqNo,
      Year: line.Year,
      Period: line.Period,
      JournalId: line.JournalId,
      AccountNo: line.AccountNo,
      AmtDebit: line.debit.toNumber(),
      AmtCredit: line.credit.toNumber(),
      EntryDate: line.EntryDate,
      InvoiceId: line.InvoiceId,
      VoucherDate: line.VoucherDate,
      VoucherNo: line.VoucherNo,
      VatCode: line.VatCode,
      VatAmt: this.vatAmount(line).toNumber(),
      Description: line.Description,
      Created: line.Created,
      Modified: line.Created,
    }));
  }

  periodBalances(): Row[] {
    const balances = new Map<string, Row>();
    for (const line of this.lines) {
      const key = `${line.Year}/${line.Period}/${line.AccountNo}`;
      const row = balances.get(key) ?? {
        UnitId: 1,
        Year: line.Year,
        Period: line.Period,
        AccountNr: line.AccountNo,
        AccountDesc: this.store.accounts.get(line.AccountNo)?.Description,
        debit: new Decimal(0),
        credit: new Decimal(0),
      };
      row.debit = (row.debit as Decimal).plus(line.debit);
      row.credit = (row.credit as Decimal).plus(line.credit);
      balances.set(key, row);
    }
    return [...balances.values()].map(({ debit, credit, ...row }) => ({
      ...row,
      Debit: (debit as Decimal).toNumber(),
      Credit: (credit as Decimal).toNumber(),
      Balance: (debit as Decimal).minus(credit as Decimal).toNumber(),
    }));
  }

  /** Per debtor and invoice: the invoice's amount (its first line) and what is still open. */
  debtorInvoices(): Row[] {
    return this.invoices('2').map(({ first, open, relation, invoice }) => ({
      ...this.invoiceRow(first, first.debit.minus(first.credit)),
      DebtorId: relation,
      InvoiceNr: invoice,
      NookPieceDate: first.VoucherDate,
      Balance: open.toNumber(),
      BalanceCurr: open.toNumber(),
    }));
  }

  /**
   * Per creditor and invoice. Its file documents no balance column: the amount here is everything booked on
   * the invoice number (credit positive), corrections included.
   */
  creditorInvoices(): Row[] {
    return this.invoices('3').map(({ first, open, relation, invoice }) => ({
      ...this.invoiceRow(first, open.negated()),
      CreditorId: relation,
      InvoiceNr: invoice,
      BookPiecrNr: first.VoucherNo,
      BookPieceDate: first.VoucherDate,
      Blocked: false,
    }));
  }

  private invoiceRow(first: Line, amount: Decimal): Row {
    return {
      UnitId: 1,
      ExpDate: first.ExpDate,
      CurrencyId: 'EUR',
      AmtInvoice: amount.toNumber(),
      AmtInvoiceCurr: amount.toNumber(),
      Description: first.Description,
    };
  }

  private invoices(kind: '2' | '3') {
    const found = new Map<string, { first: Line; open: Decimal; relation: string; invoice: string }>();
    for (const line of this.lines) {
      if (line.kind !== kind || !line.InvoiceId) continue;
      const key = `${line.relation}/${line.InvoiceId}`;
      const entry = found.get(key) ?? {
        first: line,
        open: new Decimal(0),
        relation: line.relation!,
        invoice: line.InvoiceId,
      };
      entry.open = entry.open.plus(line.debit).minus(line.credit);
      found.set(key, entry);
    }
    return [...found.values()];
  }

  /** A line on the VAT code's own account is VAT; any other line carries none of it. */
  private vatAmount(line: Line): Decimal {
    const code = line.VatCode ? this.store.vatCodes.get(line.VatCode) : undefined;
    return code && scalarText(code.AccountNr) === line.AccountNo
      ? line.debit.minus(line.credit)
      : new Decimal(0);
  }

  private accountOf(kind: string, account: string, index: number): string {
    const where = `Regel ${index + 1}`;
    if (kind === '1') {
      const found = this.store.accounts.get(account);
      if (!found) throw new ProfitError(500, `${where}: grootboekrekening ${account} bestaat niet.`);
      if (found.Blocked) throw new ProfitError(500, `${where}: grootboekrekening ${account} is geblokkeerd.`);
      if (found.CollectAccount)
        throw new ProfitError(
          500,
          `${where}: op verzamelrekening ${account} kan niet rechtstreeks worden geboekt; boek op de debiteur of crediteur.`,
        );
      return account;
    }
    const [relations, type, name] =
      kind === '2'
        ? [this.store.debtors, 'D', 'debiteur']
        : kind === '3'
          ? [this.store.creditors, 'C', 'crediteur']
          : [undefined, '', ''];
    if (!relations) throw new ProfitError(500, `${where}: kenmerk rekening ${kind} is onbekend (1, 2 of 3).`);
    const relation = relations.get(account);
    if (!relation) throw new ProfitError(500, `${where}: ${name} ${account} bestaat niet.`);
    const collective =
      scalarText(relation.ColA) ||
      scalarText(
        [...this.store.accounts.values()].find((row) => row.CollectAccount && row.CollectAccountType === type)
          ?.Account,
      );
    if (!collective)
      throw new ProfitError(500, `${where}: er is geen verzamelrekening voor ${name}en ingericht.`);
    return collective;
  }

  private amount(value: unknown, index: number): Decimal {
    if (value === undefined || value === null) return new Decimal(0);
    const amount = new Decimal(scalarText(value));
    if (amount.isNegative() || amount.decimalPlaces() > 2)
      throw new ProfitError(500, `Regel ${index + 1}: bedrag ${scalarText(value)} is ongeldig.`);
    return amount;
  }
}
