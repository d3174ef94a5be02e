import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { scalarText } from '../../../src/connectors';
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

  constructor(seed: Record<string, unknown> = {}) {
    this.division = Number(seed.division ?? 1234567);
    this.currency = scalarText(seed.currency, 'EUR');
    this.name = scalarText(seed.name, 'Switchyard sandbox B.V.');
    this.invoiceNumber = Number(seed.firstInvoiceNumber ?? 24000000);
    for (const resource of RESOURCES)
      for (const row of (seed[resource.name] as Row[] | undefined) ?? []) this.create(resource, row, true);
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
        Division: this.division,
      };
      this.lines.set(String(line.ID), line);
    });
    delete row.SalesInvoiceLines;
    row.AmountFC = amount.plus(vat).toNumber();
    row.AmountDC = row.AmountFC;
    row.AmountFCExclVat = amount.toNumber();
    row.VATAmountFC = vat.toNumber();
    row.VATAmountDC = vat.toNumber();
  }
}
