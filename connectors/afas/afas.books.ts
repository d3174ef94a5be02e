import Decimal from 'decimal.js';
import {
  type AccountingFigures,
  type BatchTarget,
  type Found,
  type ItemAnswer,
  type LoadItem,
  scalarText,
  skipTakePages,
  SwitchyardError,
} from '../../src/connectors';
import type { ProfitClient } from './afas.client';
import { AFAS_FACTS } from './afas.facts';

type Row = Record<string, any>;
export type BookKind = 'openingBalances' | 'openItems';

/** Profit's refusal of an entry number its journal holds already (another process booked it first). */
const NUMBER_TAKEN = /Boekstuknummer .* bestaat al/i;

/**
 * The books in AFAS Profit: opening balances and open items booked as financial entries (FiEntries) in a
 * memorial journal on the plan's cut-off date, each against the plan's transitional account, which ends at zero
 * once both are in. An opening balance is an entry on its ledger account; an open item an entry on its debtor
 * or creditor (counting on the collective account) with its invoice number, date and due date. Each entry's
 * voucher number (BpNr) is the source record's identity: an entry booked before (a lost reply, an empty
 * ledger) is found by it and never booked twice. Booked entries are not changed: Profit corrects by reversal.
 */
export class ProfitBooks {
  private transactions?: Promise<Row[]>;
  private lastEntry?: number;

  constructor(
    private readonly client: ProfitClient,
    private readonly settings: {
      cutoffDate?: string;
      openingAccount?: string;
      journal: string;
      currency: string;
    },
  ) {}

  target(kind: BookKind): BatchTarget {
    const stale = () => {
      this.transactions = undefined;
      this.lastEntry = undefined;
    };
    return {
      cap: 1,
      match: async (items) => {
        const booked = await this.booked();
        const open =
          kind === 'openItems' ? new Map((await this.openItems()).map((row) => [row.ID, row])) : undefined;
        return items.map((item): Found | undefined => {
          const voucher = voucherOf(item);
          if (booked.some((line) => line.VoucherNo === voucher))
            return { id: kind === 'openItems' ? openItemId(item.payload) : voucher };
          // An open item Profit holds already on that relation and invoice number: it is there, not booked again.
          if (open?.has(openItemId(item.payload))) return { id: openItemId(item.payload) };
          return undefined;
        });
      },
      create: async ([item]) => [await this.book(kind, item)],
      update: ([{ id }]) => Promise.resolve([{ id }]),
      relearn: () => Promise.resolve(stale()),
      stale,
    };
  }

  /** Native opening balances: each entry's line on its ledger account (not the transitional one). */
  async openingBalances(): Promise<Row[]> {
    // An open item's line carries its invoice; the transitional account's line is the other side of each.
    return (await this.booked())
      .filter((line) => line.VoucherNo && !line.InvoiceId)
      .filter((line) => scalarText(line.AccountNo) !== this.settings.openingAccount)
      .map((line) => ({ ...line, ID: line.VoucherNo }));
  }

  /** Native open items: debtors' invoices with a balance, creditors' invoices (their file has no balance). */
  async openItems(): Promise<Row[]> {
    const read = (connector: string, key: string) => this.all(connector, key);
    const [debtors, creditors] = await Promise.all([
      read('Profit_Debtor_Invoices', 'InvoiceNr'),
      read('Profit_Creditor_Invoices', 'InvoiceNr'),
    ]);
    return [
      ...debtors
        .filter((row) => Number(row.Balance ?? 0) !== 0)
        .map((row) => ({
          ID: `receivable/${scalarText(row.DebtorId)}/${scalarText(row.InvoiceNr)}`,
          Kind: 'receivable',
          RelationId: row.DebtorId,
          InvoiceNr: row.InvoiceNr,
          Date: row.NookPieceDate,
          ExpDate: row.ExpDate,
          Amount: new Decimal(row.Balance).toFixed(2),
          Description: row.Description,
        })),
      ...creditors
        .filter((row) => Number(row.AmtInvoice ?? 0) !== 0)
        .map((row) => ({
          ID: `payable/${scalarText(row.CreditorId)}/${scalarText(row.InvoiceNr)}`,
          Kind: 'payable',
          RelationId: row.CreditorId,
          InvoiceNr: row.InvoiceNr,
          Date: row.BookPieceDate,
          ExpDate: row.ExpDate,
          Amount: new Decimal(row.AmtInvoice).toFixed(2),
          Description: row.Description,
        })),
    ];
  }

  async figures(before: string): Promise<AccountingFigures> {
    const trialBalance = new Map<string, Decimal>();
    const vat = new Map<string, Decimal>();
    const openItems = new Map<string, Decimal>();
    const add = (map: Map<string, Decimal>, key: string, amount: Decimal.Value) =>
      map.set(key, (map.get(key) ?? new Decimal(0)).plus(amount));
    this.transactions = undefined;
    for (const line of await this.booked()) {
      if (scalarText(line.EntryDate).slice(0, 10) >= before) continue;
      add(
        trialBalance,
        scalarText(line.AccountNo),
        new Decimal(line.AmtDebit ?? 0).minus(line.AmtCredit ?? 0),
      );
      if (line.VatCode && Number(line.VatAmt ?? 0) !== 0) add(vat, scalarText(line.VatCode), line.VatAmt);
    }
    for (const item of await this.openItems())
      add(openItems, `${scalarText(item.Kind)}:${scalarText(item.RelationId)}`, item.Amount);
    const plain = (map: Map<string, Decimal>) =>
      Object.fromEntries(
        [...map].filter(([, sum]) => !sum.isZero()).map(([key, sum]) => [key, sum.toFixed(2)]),
      );
    return {
      currency: this.settings.currency,
      trialBalance: plain(trialBalance),
      openItems: plain(openItems),
      vat: plain(vat),
    };
  }

  // ---- booking -----------------------------------------------------------------------------------

  private async book(kind: BookKind, item: LoadItem): Promise<ItemAnswer> {
    const { cutoffDate, openingAccount } = this.settings;
    if (!cutoffDate || !openingAccount)
      return {
        error: 'booking into AFAS needs options.cutoffDate and options.openingBalanceAccount in the plan',
      };
    const lines = kind === 'openingBalances' ? this.balanceLines(item) : this.openItemLines(item);
    if ('error' in lines) return lines;
    for (let attempt = 0; ; attempt++) {
      const entry = await this.nextEntry();
      const common = { EnNo: entry, EnDa: cutoffDate, BpNr: voucherOf(item) };
      const [first, contra] = lines.map((line): Row => ({ ...common, ...line }));
      contra.AcNr = openingAccount;
      try {
        await this.client.update('post', 'FiEntries', {
          FiEntryPar: {
            Element: {
              Fields: {
                Year: Number(cutoffDate.slice(0, 4)),
                Peri: Number(cutoffDate.slice(5, 7)),
                JoCo: this.settings.journal,
              },
              Objects: [{ FiEntries: { Element: [{ Fields: first }, { Fields: contra }] } }],
            },
          },
        });
        return { id: kind === 'openItems' ? openItemId(item.payload) : voucherOf(item) };
      } catch (error) {
        // Another worker took the number between our read and our write: read again, take the next.
        if (attempt < 3 && error instanceof SwitchyardError && NUMBER_TAKEN.test(error.message)) {
          this.lastEntry = undefined;
          this.transactions = undefined;
          continue;
        }
        throw error;
      }
    }
  }

  /** An opening balance: its account's line and the transitional account's, debit and credit swapped. */
  private balanceLines(item: LoadItem): Row[] | { error: string } {
    const { AcNr, VaId, AmDe, AmCr, Ds } = item.payload;
    if (!AcNr) return { error: 'an opening balance needs its ledger account (AcNr); the mapping gave none' };
    const debit = new Decimal(scalarText(AmDe, '0'));
    const credit = new Decimal(scalarText(AmCr, '0'));
    const net = debit.minus(credit);
    const side = (amount: Decimal) =>
      amount.isNegative() ? { AmCr: amount.negated().toNumber() } : { AmDe: amount.toNumber() };
    const text = scalarText(Ds, 'Beginbalans').slice(0, 255);
    return [
      {
        VaAs: '1',
        AcNr: scalarText(AcNr),
        BpDa: this.settings.cutoffDate,
        Ds: text,
        ...side(net),
        ...(VaId ? { VaId: scalarText(VaId) } : {}),
      },
      { VaAs: '1', BpDa: this.settings.cutoffDate, Ds: text, ...side(net.negated()) },
    ];
  }

  /** An open item: the debtor's (or creditor's) line with its invoice, and the transitional account's. */
  private openItemLines(item: LoadItem): Row[] | { error: string } {
    const { VaAs, AcNr, InId, BpDa, DaEx, Amount, Ds } = item.payload;
    if (!AcNr || !InId)
      return { error: 'an open item needs its relation number (AcNr) and invoice number (InId)' };
    if (scalarText(InId).length > 12)
      return { error: `AFAS holds invoice numbers of at most 12 characters; ${scalarText(InId)} is longer` };
    // A receivable is owed to the business (debit on the debtor), a payable by it (credit on the creditor).
    const owed = new Decimal(scalarText(Amount, '0'));
    const onRelation = VaAs === '3' ? owed.negated() : owed;
    const side = (amount: Decimal) =>
      amount.isNegative() ? { AmCr: amount.negated().toNumber() } : { AmDe: amount.toNumber() };
    const text = scalarText(Ds, `Openstaande post ${scalarText(InId)}`).slice(0, 255);
    return [
      {
        VaAs: scalarText(VaAs),
        AcNr: scalarText(AcNr),
        InId: scalarText(InId),
        BpDa: scalarText(BpDa),
        ...(DaEx ? { DaEx: scalarText(DaEx) } : {}),
        Ds: text,
        ...side(onRelation),
      },
      { VaAs: '1', BpDa: this.settings.cutoffDate, Ds: text, ...side(onRelation.negated()) },
    ];
  }

  /** The journal's next entry number this year, counted on from the highest Profit holds. */
  private async nextEntry(): Promise<number> {
    if (this.lastEntry === undefined) {
      const year = Number(scalarText(this.settings.cutoffDate).slice(0, 4));
      const numbers = (await this.booked())
        .filter((line) => Number(line.Year) === year && scalarText(line.JournalId) === this.settings.journal)
        .map((line) => Number(line.EntryNo));
      this.lastEntry ??= Math.max(0, ...numbers);
    }
    return ++this.lastEntry;
  }

  /** The journal's booked lines (Profit_Transactions), read once and again after a change. */
  private booked(): Promise<Row[]> {
    this.transactions ??= this.all('Profit_Transactions', 'EntryNo', {
      filterfieldids: 'JournalId',
      filtervalues: this.settings.journal,
      operatortypes: 1,
    });
    this.transactions.catch(() => (this.transactions = undefined));
    return this.transactions;
  }

  private async all(
    connector: string,
    orderBy: string,
    filter: Record<string, string | number> = {},
  ): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const page of skipTakePages<Row>({
      take: AFAS_FACTS.pageSize,
      orderBy,
      cursor: null,
      fetch: async (skip, take, order) =>
        (await this.client.rows<Row>(connector, { skip, take, orderbyfieldids: order, ...filter })).rows,
    }))
      rows.push(...page.records);
    return rows;
  }
}

/** The entry's voucher number: the source record's identity (hashed only if longer than Profit's 32). */
function voucherOf(item: LoadItem): string {
  const id = item.sourceId;
  if (id.length <= 32) return id;
  let hash = 0;
  for (const char of id) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return `${id.slice(0, 23)}~${hash.toString(16).padStart(8, '0')}`;
}

function openItemId(payload: Row): string {
  return `${payload.VaAs === '3' ? 'payable' : 'receivable'}/${scalarText(payload.AcNr)}/${scalarText(payload.InId)}`;
}
