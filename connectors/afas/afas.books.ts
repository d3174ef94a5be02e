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
  Totals,
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
 * ledger) is found by it and never booked twice. Booked entries are never changed: a record whose source
 * changed gets an entry for the difference under the same voucher, as an accountant corrects.
 */
export class ProfitBooks {
  private transactions?: Promise<Row[]>;
  private held?: Promise<Row[]>;
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
      this.held = undefined;
      this.lastEntry = undefined;
    };
    return {
      cap: 1,
      match: async (items) => {
        const booked = await this.booked();
        const open =
          kind === 'openItems' ? new Map((await this.heldItems()).map((row) => [row.ID, row])) : undefined;
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
      update: async ([{ item, id }]) => [await this.correct(kind, item, id)],
      relearn: () => Promise.resolve(stale()),
      stale,
    };
  }

  /** Native opening balances: per voucher, its lines on the ledger account (a correction adds to the first). */
  async openingBalances(): Promise<Row[]> {
    const balances = new Map<string, Row>();
    // An open item's line carries its invoice; the transitional account's line is the other side of each.
    for (const line of await this.journal()) {
      if (!line.VoucherNo || line.InvoiceId || scalarText(line.AccountNo) === this.settings.openingAccount)
        continue;
      const balance = balances.get(line.VoucherNo) ?? { ...line, ID: line.VoucherNo, net: new Decimal(0) };
      balance.net = (balance.net as Decimal).plus(line.AmtDebit ?? 0).minus(line.AmtCredit ?? 0);
      balances.set(line.VoucherNo, balance);
    }
    return [...balances.values()].map(({ net, ...balance }) => ({
      ...balance,
      AmtDebit: Decimal.max(net as Decimal, 0).toNumber(),
      AmtCredit: Decimal.max((net as Decimal).negated(), 0).toNumber(),
    }));
  }

  /** Native open items: debtors' invoices with a balance, creditors' invoices (their file has no balance). */
  async openItems(): Promise<Row[]> {
    const sides = await Promise.all(
      OPEN_ITEM_SOURCES.map(async (side) => ({
        side,
        // An invoice number is unique per relation only.
        rows: await this.all(side.connector, `${side.relation},InvoiceNr`),
      })),
    );
    return sides.flatMap(({ side, rows }) =>
      rows
        .filter((row) => Number(row[side.amount] ?? 0) !== 0)
        .map((row) => ({
          ID: openItemKey(side.kind, row[side.relation], row.InvoiceNr),
          Kind: side.kind,
          RelationId: row[side.relation],
          InvoiceNr: row.InvoiceNr,
          Date: row[side.date],
          ExpDate: row.ExpDate,
          Amount: new Decimal(row[side.amount]).toFixed(2),
          Description: row.Description,
        })),
    );
  }

  async figures(before: string): Promise<AccountingFigures> {
    const [trialBalance, openItems, vat] = [new Totals(), new Totals(), new Totals()];
    for (const line of await this.journal()) {
      if (scalarText(line.EntryDate).slice(0, 10) >= before) continue;
      trialBalance.add(
        scalarText(line.AccountNo),
        new Decimal(line.AmtDebit ?? 0).minus(line.AmtCredit ?? 0),
      );
      if (line.VatCode && Number(line.VatAmt ?? 0) !== 0) vat.add(scalarText(line.VatCode), line.VatAmt);
    }
    for (const item of await this.openItems())
      openItems.add(`${scalarText(item.Kind)}:${scalarText(item.RelationId)}`, item.Amount);
    return {
      currency: this.settings.currency,
      trialBalance: trialBalance.toRecord(),
      openItems: openItems.toRecord(),
      vat: vat.toRecord(),
    };
  }

  // ---- booking -----------------------------------------------------------------------------------

  /** Books the record: its line (at `net`, debit positive, or what it says) against the transitional account. */
  private async book(kind: BookKind, item: LoadItem, net?: Decimal, prefix = ''): Promise<ItemAnswer> {
    const { cutoffDate, openingAccount } = this.settings;
    if (!cutoffDate || !openingAccount)
      return {
        error: 'booking into AFAS needs options.cutoffDate and options.openingBalanceAccount in the plan',
      };
    const line = this.line(kind, item);
    if ('error' in line) return line;
    const amount = net ?? line.net;
    const side = (value: Decimal) =>
      value.isNegative() ? { AmCr: value.negated().toNumber() } : { AmDe: value.toNumber() };
    const text = `${prefix}${line.text}`.slice(0, 255);
    for (let attempt = 0; ; attempt++) {
      const common = { EnNo: await this.nextEntry(), EnDa: cutoffDate, BpNr: voucherOf(item), Ds: text };
      const first = { ...common, ...line.fields, ...side(amount) };
      const contra = {
        ...common,
        VaAs: '1',
        AcNr: openingAccount,
        BpDa: cutoffDate,
        ...side(amount.negated()),
      };
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
        // What matching knows gains the entry, so another run on this connection finds it (a lost reply relearns).
        const known = await this.transactions?.catch(() => undefined);
        known?.push(
          ...[first, contra].map((fields: Row) => ({
            Year: Number(cutoffDate.slice(0, 4)),
            JournalId: this.settings.journal,
            EntryNo: fields.EnNo,
            VoucherNo: fields.BpNr,
            InvoiceId: fields.InId,
            // A relation's line counts on its collective account, which Profit knows and this does not.
            AccountNo: fields.VaAs === '1' ? fields.AcNr : undefined,
            AmtDebit: fields.AmDe ?? 0,
            AmtCredit: fields.AmCr ?? 0,
          })),
        );
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

  /**
   * A record booked before whose source changed (a late booking before the cut-off): the difference is booked
   * under the same voucher, as an accountant corrects. An open item Profit held before the migration is only
   * compared: a different amount is for someone to look at, with both numbers.
   */
  private async correct(kind: BookKind, item: LoadItem, id: string): Promise<ItemAnswer> {
    const line = this.line(kind, item);
    if ('error' in line) return line;
    const ours = (await this.booked()).filter(
      (row) =>
        row.VoucherNo === voucherOf(item) && scalarText(row.AccountNo) !== this.settings.openingAccount,
    );
    if (ours.length === 0) {
      const held = (await this.heldItems()).find((row) => row.ID === id);
      const amount = new Decimal(scalarText(held?.Amount, '0'));
      const owed = item.payload.VaAs === '3' ? line.net.negated() : line.net;
      return amount.equals(owed)
        ? { id }
        : {
            error: `AFAS Profit holds open item ${id} at ${amount.toFixed(2)} (not booked by this migration), the source says ${owed.toFixed(2)}; correct it in Profit`,
          };
    }
    const booked = ours.reduce(
      (sum: Decimal, row) => sum.plus(row.AmtDebit ?? 0).minus(row.AmtCredit ?? 0),
      new Decimal(0),
    );
    const difference = line.net.minus(booked);
    return difference.isZero() ? { id } : this.book(kind, item, difference, 'Correctie ');
  }

  /** The record's own line: its fields, its amount (debit positive) and its description. */
  private line(
    kind: BookKind,
    item: LoadItem,
  ): { fields: Row; net: Decimal; text: string } | { error: string } {
    const payload = item.payload;
    if (kind === 'openingBalances') {
      if (!payload.AcNr)
        return { error: 'an opening balance needs its ledger account (AcNr); the mapping gave none' };
      return {
        fields: {
          VaAs: '1',
          AcNr: scalarText(payload.AcNr),
          BpDa: this.settings.cutoffDate,
          ...(payload.VaId ? { VaId: scalarText(payload.VaId) } : {}),
        },
        net: new Decimal(scalarText(payload.AmDe, '0')).minus(scalarText(payload.AmCr, '0')),
        text: scalarText(payload.Ds, 'Beginbalans'),
      };
    }
    const { VaAs, AcNr, InId, BpDa, DaEx, Amount, Ds } = payload;
    if (!AcNr || !InId)
      return { error: 'an open item needs its relation number (AcNr) and invoice number (InId)' };
    if (scalarText(InId).length > 12)
      return { error: `AFAS holds invoice numbers of at most 12 characters; ${scalarText(InId)} is longer` };
    // A receivable is owed to the business (debit on the debtor), a payable by it (credit on the creditor).
    const owed = new Decimal(scalarText(Amount, '0'));
    return {
      fields: {
        VaAs: scalarText(VaAs),
        AcNr: scalarText(AcNr),
        InId: scalarText(InId),
        BpDa: scalarText(BpDa),
        ...(DaEx ? { DaEx: scalarText(DaEx) } : {}),
      },
      net: VaAs === '3' ? owed.negated() : owed,
      text: scalarText(Ds, `Openstaande post ${scalarText(InId)}`),
    };
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

  /** The open items Profit held when first asked this run: what a record is matched against. */
  private heldItems(): Promise<Row[]> {
    this.held ??= this.openItems();
    this.held.catch(() => (this.held = undefined));
    return this.held;
  }

  /** The journal's lines as matching found them: read once a run, and again after a lost reply. */
  private booked(): Promise<Row[]> {
    this.transactions ??= this.journal();
    this.transactions.catch(() => (this.transactions = undefined));
    return this.transactions;
  }

  /** The journal's booked lines (Profit_Transactions), read now. */
  private journal(): Promise<Row[]> {
    // Two lines share an entry number, and numbers start again each year: the order must be unique.
    return this.all('Profit_Transactions', 'Year,EntryNo,SeqNo', {
      filterfieldids: 'JournalId',
      filtervalues: this.settings.journal,
      operatortypes: 1,
    });
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

/** Where Profit's GetConnectors hold each kind of open item, and in which of their fields. */
const OPEN_ITEM_SOURCES = [
  {
    kind: 'receivable',
    connector: 'Profit_Debtor_Invoices',
    relation: 'DebtorId',
    date: 'NookPieceDate',
    amount: 'Balance',
  },
  {
    kind: 'payable',
    connector: 'Profit_Creditor_Invoices',
    relation: 'CreditorId',
    date: 'BookPieceDate',
    amount: 'AmtInvoice',
  },
] as const;

/** An open item's id in Profit: its kind, relation and invoice number. */
function openItemKey(kind: 'receivable' | 'payable', relation: unknown, invoice: unknown): string {
  return `${kind}/${scalarText(relation)}/${scalarText(invoice)}`;
}

function openItemId(payload: Row): string {
  return openItemKey(payload.VaAs === '3' ? 'payable' : 'receivable', payload.AcNr, payload.InId);
}
