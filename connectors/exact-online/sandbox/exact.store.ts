import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { scalarText } from '../../../src/connectors';
import { administration } from './exact.administration';
import { LINE_FIELDS, type Resource, RESOURCES } from './exact.resources';
import type { Row } from './odata-filter';

/** A refusal with Exact's status and text; the sandbox sends it as `{"error":{"code","message":{"lang","value"}}}`. */
export class ExactError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const exactDate = (ms: number) => `/Date(${ms})/`;

/** A date as a client sends it (`/Date(ms)/` or ISO text), in ms; undefined when absent. */
function dateOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const wrapped = /^\/Date\((-?\d+)\)\/$/.exec(scalarText(value));
  const ms = wrapped ? Number(wrapped[1]) : Date.parse(scalarText(value));
  if (!Number.isFinite(ms))
    throw new ExactError(400, `Error processing request stream. Invalid date: ${scalarText(value)}`);
  return ms;
}

/** A booking as a seed gives it (a bank or memorial entry): its lines must balance. */
export interface Entry {
  JournalCode: string;
  Date: string;
  Description?: string;
  Lines: {
    GLAccount: string;
    AmountDC: number;
    Account?: string;
    InvoiceNumber?: number | string;
    DueDate?: string;
    VATCode?: string;
    Description?: string;
  }[];
}

/** GL account types (Exact's `Type`): what the books treat specially. */
export const GL_TYPE = { receivable: 20, payable: 22, vat: 24 } as const;

interface Deleted {
  ID: string;
  EntityKey: string;
  EntityType: number;
  Timestamp: number;
  DeletedDate: string;
  Division: number;
}

/**
 * One Exact Online division's data. Every create and update takes the next `Timestamp` (Exact's Int64 row
 * version, what the sync endpoints page on); every delete leaves a row in sync/Deleted.
 */
export class ExactStore {
  readonly division: number;
  readonly currency: string;
  readonly name: string;
  readonly tables = new Map<string, Map<string, Row>>(
    RESOURCES.map((resource) => [resource.name, new Map()]),
  );
  readonly lines = new Map<string, Row>();
  readonly deleted: Deleted[] = [];
  private timestamp = 1000;
  private invoiceNumber = 0;
  private entryNumber = 0;

  constructor(given: Record<string, unknown> = {}) {
    // A generated administration (`{"administration": {...}}`): its records, the seed's division, name, currency.
    const seed = given.administration ? administration(given.administration, given) : given;
    this.division = Number(seed.division ?? 1234567);
    this.currency = scalarText(seed.currency, 'EUR');
    this.name = scalarText(seed.name, 'Switchyard sandbox B.V.');
    this.invoiceNumber = Number(seed.firstInvoiceNumber ?? 24000000);
    for (const resource of RESOURCES)
      for (const row of (seed[resource.name] as Row[] | undefined) ?? []) this.create(resource, row, true);
    for (const entry of (seed.Transactions as Entry[] | undefined) ?? []) this.book(entry);
  }

  /** Posts a booking's lines to the ledger (TransactionLines), refused unless debit equals credit. */
  book(entry: Entry): void {
    const sum = entry.Lines.reduce((total, line) => total.plus(line.AmountDC), new Decimal(0));
    if (!sum.isZero())
      throw new ExactError(400, `Entry ${entry.Description ?? ''} is out of balance by ${sum.toFixed(2)}`);
    const date = dateOf(entry.Date)!;
    const day = new Date(date);
    const entryNumber = ++this.entryNumber;
    const gl = this.table(this.resource('GLAccounts'));
    const accounts = this.table(this.resource('Accounts'));
    for (const [index, line] of entry.Lines.entries()) {
      const account = gl.get(line.GLAccount.toLowerCase());
      if (!account) throw new ExactError(400, `GLAccount: not found: ${line.GLAccount}`);
      const relation = line.Account ? accounts.get(line.Account.toLowerCase()) : undefined;
      this.create(
        this.resource('TransactionLines'),
        {
          EntryID: `${entryNumber}`,
          EntryNumber: entryNumber,
          LineNumber: index + 1,
          JournalCode: entry.JournalCode,
          Date: exactDate(date),
          FinancialYear: day.getUTCFullYear(),
          FinancialPeriod: day.getUTCMonth() + 1,
          GLAccount: account.ID,
          GLAccountCode: String(account.Code).trim(),
          GLAccountDescription: account.Description,
          AmountDC: new Decimal(line.AmountDC).toNumber(),
          AmountFC: new Decimal(line.AmountDC).toNumber(),
          Currency: this.currency,
          Account: relation?.ID ?? null,
          AccountCode: relation ? relation.Code : null,
          AccountName: relation?.Name ?? null,
          InvoiceNumber: line.InvoiceNumber === undefined ? null : Number(line.InvoiceNumber),
          DueDate: line.DueDate ? exactDate(dateOf(line.DueDate)!) : null,
          VATCode: line.VATCode ?? null,
          Description: line.Description ?? entry.Description ?? null,
        },
        true,
      );
    }
  }

  /**
   * Exact's receivables or payables list (read/financial/ReceivablesList, PayablesList): per relation and
   * invoice number, what is still open on the receivable (or payable) accounts, paid or not; positive is owed.
   */
  openItems(kind: 'receivable' | 'payable'): Row[] {
    const type = GL_TYPE[kind];
    const controls = new Set(
      [...this.table(this.resource('GLAccounts')).values()]
        .filter((gl) => Number(gl.Type) === type)
        .map((gl) => gl.ID as string),
    );
    const open = new Map<string, Row>();
    const lines = [...this.table(this.resource('TransactionLines')).values()].sort(
      (a, b) => Number(a.Timestamp) - Number(b.Timestamp),
    );
    for (const line of lines) {
      if (!controls.has(line.GLAccount as string) || !line.Account) continue;
      const key = `${scalarText(line.Account)}:${scalarText(line.InvoiceNumber)}`;
      const item = open.get(key) ?? {
        HID: open.size + 1,
        Id: line.ID,
        AccountId: line.Account,
        AccountCode: line.AccountCode,
        AccountName: line.AccountName,
        InvoiceNumber: line.InvoiceNumber,
        InvoiceDate: line.Date,
        DueDate: line.DueDate,
        EntryNumber: line.EntryNumber,
        JournalCode: line.JournalCode,
        Description: line.Description,
        CurrencyCode: this.currency,
        Amount: new Decimal(0),
      };
      item.Amount = (item.Amount as Decimal).plus(line.AmountDC as number);
      open.set(key, item);
    }
    return [...open.values()]
      .filter((item) => !(item.Amount as Decimal).isZero())
      .map((item) => ({
        ...item,
        Amount: (kind === 'payable'
          ? (item.Amount as Decimal).negated()
          : (item.Amount as Decimal)
        ).toNumber(),
      }));
  }

  table(resource: Resource): Map<string, Row> {
    return this.tables.get(resource.name)!;
  }

  resource(name: string): Resource {
    return RESOURCES.find((resource) => resource.name === name)!;
  }

  create(resource: Resource, body: Row, seeding = false): Row {
    if (!seeding) this.refuseUnknown(resource, body);
    for (const field of resource.required)
      if (body[field] === undefined || body[field] === null || body[field] === '')
        throw new ExactError(400, `${field}: Mandatory field is missing`);
    const now = Date.now();
    const row: Row = {
      ...this.defaults(resource),
      ...body,
      [resource.key]: seeding && body[resource.key] ? String(body[resource.key]) : randomUUID(),
      Division: this.division,
      Created: seeding && body.Created ? body.Created : exactDate(now),
      Modified: seeding && body.Modified ? body.Modified : exactDate(now),
      Timestamp: ++this.timestamp,
    };
    if (resource.paddedCode) row.Code = this.padded(row.Code ?? this.nextCode(resource));
    this.refuseTaken(resource, row);
    if (resource.name === 'SalesInvoices') this.invoice(row, seeding);
    this.table(resource).set(String(row[resource.key]), row);
    return row;
  }

  update(resource: Resource, id: string, body: Row): void {
    this.refuseUnknown(resource, body);
    const row = this.find(resource, id);
    if (resource.name === 'SalesInvoices') {
      if (body.OrderedBy !== undefined && body.OrderedBy !== row.OrderedBy)
        throw new ExactError(400, "OrderedBy: It's not allowed to change the ordered by of a sales invoice");
      if (body.SalesInvoiceLines !== undefined)
        throw new ExactError(
          400,
          'SalesInvoiceLines: lines are changed through salesinvoice/SalesInvoiceLines',
        );
    }
    const next: Row = { ...row, ...body, Modified: exactDate(Date.now()), Timestamp: ++this.timestamp };
    if (resource.paddedCode && body.Code !== undefined) next.Code = this.padded(body.Code);
    this.refuseTaken(resource, next);
    this.table(resource).set(id, next);
  }

  remove(resource: Resource, id: string): void {
    this.find(resource, id);
    this.table(resource).delete(id);
    if (resource.name === 'SalesInvoices')
      for (const [lineId, line] of this.lines) if (line.InvoiceID === id) this.lines.delete(lineId);
    if (resource.entityType !== undefined)
      this.deleted.push({
        ID: randomUUID(),
        EntityKey: id,
        EntityType: resource.entityType,
        Timestamp: ++this.timestamp,
        DeletedDate: exactDate(Date.now()),
        Division: this.division,
      });
  }

  find(resource: Resource, id: string): Row {
    const row = this.table(resource).get(id.toLowerCase()) ?? this.table(resource).get(id);
    if (!row) throw new ExactError(404, 'Not found');
    return row;
  }

  linesOf(invoiceId: string): Row[] {
    return [...this.lines.values()]
      .filter((line) => line.InvoiceID === invoiceId)
      .sort((a, b) => Number(a.LineNumber) - Number(b.LineNumber));
  }

  deletedRows(): Row[] {
    return this.deleted as unknown as Row[];
  }

  /** Every property of the type, null unless set: OData returns them all. */
  private defaults(resource: Resource): Row {
    const all: Row = Object.fromEntries(
      resource.writable.filter((field) => field !== 'SalesInvoiceLines').map((field) => [field, null]),
    );
    return { ...all, ...this.ownDefaults(resource) };
  }

  private ownDefaults(resource: Resource): Row {
    switch (resource.name) {
      case 'Accounts':
        return {
          Status: 'C',
          IsSupplier: false,
          IsSales: true,
          Blocked: false,
          Email: null,
          Country: null,
          SalesCurrency: this.currency,
        };
      case 'Items':
        return { IsSalesItem: true, IsStockItem: false, Unit: 'pc', SalesVatCode: null };
      case 'GLAccounts':
        return { BalanceSide: 'D', BalanceType: 'B', Type: 0, VATCode: null, Blocked: false };
      case 'VATCodes':
        return { Percentage: 0, Type: 'E', VATTransactionType: 'B', IsBlocked: false, Charged: false };
      case 'SalesInvoices':
        return {
          Currency: this.currency,
          Journal: '70',
          Status: 10,
          Type: 8020,
          YourRef: null,
          Description: null,
        };
      default:
        return {};
    }
  }

  /** OData refuses a property the entity type does not have. */
  private refuseUnknown(resource: Resource, body: Row): void {
    for (const field of Object.keys(body))
      if (!resource.writable.includes(field) && field !== resource.key)
        throw new ExactError(
          400,
          `Error processing request stream. The property name '${field}' specified for type '${resource.type}' is not valid.`,
        );
  }

  private refuseTaken(resource: Resource, row: Row): void {
    for (const field of resource.unique ?? []) {
      const value = scalarText(row[field]).trim();
      if (!value) continue;
      for (const other of this.table(resource).values())
        if (other[resource.key] !== row[resource.key] && scalarText(other[field]).trim() === value)
          throw new ExactError(400, `${field}: Already exists: ${value}`);
    }
  }

  private padded(code: unknown): string {
    const text = String(code).trim();
    if (text.length > 18) throw new ExactError(400, `Code: Maximum length is 18: ${text}`);
    return text.padStart(18, ' ');
  }

  private nextCode(resource: Resource): string {
    let highest = 0;
    for (const row of this.table(resource).values())
      highest = Math.max(highest, Number(String(row.Code).trim()) || 0);
    return String(highest + 1);
  }

  /** A processed invoice's booking: the receivable, each line's revenue, its VAT on the code's account. */
  private post(row: Record<string, any>, customer: Row): void {
    const gl = [...this.table(this.resource('GLAccounts')).values()];
    const receivable = gl.find((account) => Number(account.Type) === GL_TYPE.receivable);
    if (!receivable) throw new ExactError(400, 'No receivables account (GL type 20) to book the invoice on');
    const vatCodes = [...this.table(this.resource('VATCodes')).values()];
    const lines: Entry['Lines'] = [];
    let total = new Decimal(0);
    for (const line of this.linesOf(String(row.InvoiceID)) as Record<string, any>[]) {
      const revenue = scalarText(line.GLAccount);
      if (!revenue) throw new ExactError(400, `Item ${String(line.ItemCode)} has no revenue account`);
      const vatCode = vatCodes.find((code) => String(code.Code) === line.VATCode);
      lines.push({ GLAccount: revenue, AmountDC: -line.AmountDC, VATCode: line.VATCode ?? undefined });
      if (Number(line.VATAmountDC) !== 0) {
        if (!vatCode?.GLToPay) throw new ExactError(400, `VAT code ${String(line.VATCode)} has no GLToPay`);
        lines.push({
          GLAccount: scalarText(vatCode.GLToPay),
          AmountDC: -line.VATAmountDC,
          VATCode: line.VATCode,
        });
      }
      total = total.plus(line.AmountDC).plus(line.VATAmountDC);
    }
    lines.unshift({
      GLAccount: String(receivable.ID),
      AmountDC: total.toNumber(),
      Account: customer.ID as string,
      InvoiceNumber: row.InvoiceNumber,
      DueDate: row.DueDate,
    });
    const day = new Date(dateOf(row.InvoiceDate)!).toISOString();
    this.book({
      JournalCode: String(row.Journal),
      Date: day,
      Description: `Invoice ${String(row.InvoiceNumber)}`,
      Lines: lines.map((line) => ({ ...line, InvoiceNumber: row.InvoiceNumber })),
    });
  }

  /**
   * A sales invoice's lines and totals, computed as Exact computes them: a line's amount is quantity × net
   * price, its VAT that amount at its VAT code's percentage rounded to the cent; the invoice's AmountFC is
   * the lines' amounts plus their VAT.
   */
  private invoice(row: Row, seeding: boolean): void {
    const accounts = this.table(this.resource('Accounts'));
    const customer = accounts.get(String(row.OrderedBy).toLowerCase());
    if (!customer) throw new ExactError(400, `OrderedBy: Account not found: ${String(row.OrderedBy)}`);
    row.InvoiceTo = row.InvoiceTo ?? row.OrderedBy;
    row.InvoiceToName = customer.Name;
    row.OrderedByName = customer.Name;
    const lines = (row.SalesInvoiceLines as Row[] | { results: Row[] } | undefined) ?? [];
    const list = Array.isArray(lines) ? lines : lines.results;
    if (list.length === 0) throw new ExactError(400, 'SalesInvoiceLines: An invoice needs at least one line');
    const invoiceDate = dateOf(row.InvoiceDate) ?? Date.now();
    row.InvoiceDate = exactDate(invoiceDate);
    row.DueDate = exactDate(dateOf(row.DueDate) ?? invoiceDate + 30 * 86_400_000);
    if (!seeding || row.InvoiceNumber === undefined) row.InvoiceNumber = ++this.invoiceNumber;
    else this.invoiceNumber = Math.max(this.invoiceNumber, Number(row.InvoiceNumber));
    let amount = new Decimal(0);
    let vat = new Decimal(0);
    const items = this.table(this.resource('Items'));
    const vatCodes = [...this.table(this.resource('VATCodes')).values()];
    list.forEach((input, index) => {
      for (const field of Object.keys(input))
        if (!LINE_FIELDS.includes(field))
          throw new ExactError(
            400,
            `Error processing request stream. The property name '${field}' specified for type 'Exact.Web.Api.Models.SalesInvoice.SalesInvoiceLine' is not valid.`,
          );
      const item = items.get(scalarText(input.Item).toLowerCase());
      if (!item) throw new ExactError(400, `Item: Item not found: ${String(input.Item)}`);
      const code = scalarText(input.VATCode ?? item.SalesVatCode).trim();
      const vatCode = vatCodes.find((candidate) => String(candidate.Code).trim() === code);
      if (code && !vatCode) throw new ExactError(400, `VATCode: VAT code not found: ${code}`);
      const quantity = new Decimal(scalarText(input.Quantity, '1'));
      const price = new Decimal(scalarText(input.NetPrice ?? input.UnitPrice, '0'));
      const lineAmount = quantity.times(price).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      const percentage = new Decimal(scalarText(vatCode?.Percentage, '0'));
      const lineVat = lineAmount.times(percentage).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      amount = amount.plus(lineAmount);
      vat = vat.plus(lineVat);
      const line: Row = {
        ID: randomUUID(),
        InvoiceID: row.InvoiceID,
        LineNumber: index + 1,
        Item: item.ID,
        ItemCode: item.Code,
        Description: input.Description ?? item.Description,
        Quantity: quantity.toNumber(),
        NetPrice: price.toNumber(),
        UnitPrice: price.toNumber(),
        AmountFC: lineAmount.toNumber(),
        AmountDC: lineAmount.toNumber(),
        VATCode: vatCode ? vatCode.Code : null,
        VATPercentage: percentage.toNumber(),
        VATAmountFC: lineVat.toNumber(),
        VATAmountDC: lineVat.toNumber(),
        GLAccount: input.GLAccount ?? item.GLRevenue ?? null,
        Division: this.division,
      };
      this.lines.set(String(line.ID), line);
    });
    delete row.SalesInvoiceLines;
    // A processed invoice (status 50, as a seed may give it) is in the books; one made through the API is a draft.
    if (seeding && Number(row.Status) === 50) this.post(row, customer);
    row.AmountFC = amount.plus(vat).toNumber();
    row.AmountDC = row.AmountFC;
    row.AmountFCExclVat = amount.toNumber();
    row.VATAmountFC = vat.toNumber();
    row.VATAmountDC = vat.toNumber();
  }
}
