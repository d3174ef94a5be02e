import Decimal from 'decimal.js';
import {
  type AccountingFigures,
  type BatchTarget,
  type CallLimiter,
  type Connector,
  defaultTokenVault,
  type EntityDescriptor,
  type EntityName,
  type Found,
  type ItemAnswer,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  odataPages,
  offsetPages,
  type PlatformInfo,
  previewBatch,
  type ReadOptions,
  type ReadPage,
  type RecordRefs,
  scalarText,
  SwitchyardError,
  type TokenVault,
  writeBatch,
  type WrittenPart,
} from '../../src/connectors';
import { ExactBooks } from './exact.books';
import { ExactClient } from './exact.client';
import type { ExactCredentials } from './exact.auth';
import { EXACT_FACTS, EXACT_RESOURCES, type ExactResource } from './exact.facts';

type Row = Record<string, any>;
/** Entities read from the books (transaction lines), not from a resource of their own. */
type Derived = 'openingBalances' | 'openItems';
const DERIVED: Derived[] = ['openingBalances', 'openItems'];
const isDerived = (entity: EntityName): entity is Derived => (DERIVED as string[]).includes(entity);
interface Page {
  d: { results: Row[]; __next?: string };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const trimmed = (value: unknown) => scalarText(value).trim();

/**
 * Exact Online through its REST API, for one division. Reads use the sync endpoints (1,000 rows a page on
 * `Timestamp`); writes go one record a call (Exact has no batch), each matched first on its natural key
 * (`Code`) or, for invoices, on `YourRef` holding the source order, through an index read from the sync
 * endpoint once per run. Invoice lines are written with the invoice; the VAT and total Exact will compute
 * are predicted first, and an invoice whose numbers would differ from its source's is refused with both.
 */
export class ExactConnector implements Connector {
  readonly platform = 'exact-online';
  readonly entities: Record<EntityName, EntityDescriptor>;
  private readonly client: ExactClient;
  private readonly indexes = new Map<string, Promise<Map<string, string>>>();
  private vatRates?: Promise<Map<string, Decimal>>;
  private readonly books: ExactBooks;
  private currency?: string;

  constructor(
    url: string,
    credentials: Record<string, string>,
    options: { vault?: TokenVault; limiter?: CallLimiter; cutoffDate?: string } = {},
  ) {
    for (const field of ['clientId', 'clientSecret', 'refreshToken'] as const)
      if (!credentials[field])
        throw new SwitchyardError(
          'PLAN_INVALID',
          `exact-online needs credentials.${field} (the app's OAuth client and its last refresh token)`,
        );
    this.client = new ExactClient(
      url,
      credentials as unknown as ExactCredentials & { division?: string },
      options.vault ?? defaultTokenVault(),
      options.limiter,
    );
    this.books = new ExactBooks((resource, fields) => this.pages(resource, fields, null), options.cutoffDate);
    this.entities = Object.fromEntries([
      ...DERIVED.map((entity) => [
        entity,
        {
          idField: 'ID',
          naturalKey: 'ID',
          // Balances and open items carry no modification date: a delta reads them all again.
          modifiedAtField: 'Modified',
          batchLimit: 1,
          maxPageSize: EXACT_FACTS.syncPageSize,
          uniqueKeys: [],
        },
      ]),
      ...Object.entries(EXACT_RESOURCES).map(([entity, resource]) => [
        entity,
        {
          idField: resource.key,
          naturalKey: resource.identity,
          modifiedAtField: 'Modified',
          // No batch: one record a call.
          batchLimit: 1,
          maxPageSize: resource.sync ? EXACT_FACTS.syncPageSize : EXACT_FACTS.standardPageSize,
          uniqueKeys: [],
        },
      ]),
    ]);
  }

  get stats() {
    return this.client.stats;
  }

  /**
   * 5,000 calls a day per division. A read costs a call per 1,000 records (invoices: one more per 20, for their
   * lines); a write one call a record, plus the identity index read once (and the VAT codes, for invoices).
   */
  readonly callBudget = {
    perDay: EXACT_FACTS.dailyLimit,
    callsFor: (entity: EntityName, records: number, role: 'read' | 'write'): number => {
      // The books: the transaction lines (about 8 a record), the chart and the VAT codes, once.
      if (isDerived(entity)) return Math.ceil((records * 8) / EXACT_FACTS.syncPageSize) + 2;
      const resource = this.resource(entity);
      const pages = Math.ceil(records / EXACT_FACTS.syncPageSize) || 1;
      if (role === 'read')
        return pages + (resource.lines ? Math.ceil(records / EXACT_FACTS.idsPerLookup) : 0);
      return records + pages + (resource.lines ? 1 : 0);
    },
  };

  async check(): Promise<PlatformInfo> {
    const division = await this.client.division();
    const reply = await this.client.api<Page>({
      method: 'get',
      path: 'system/Divisions',
      params: { $filter: `Code eq ${division}`, $select: 'Code,Currency,Description' },
    });
    const found = reply.d.results[0];
    this.currency = found?.Currency;
    return { currency: found?.Currency, name: found?.Description, context: { division } };
  }

  idOf(entity: EntityName, record: NativeRecord): string {
    return scalarText(record[isDerived(entity) ? 'ID' : this.resource(entity).key]);
  }

  async accounting(before: string): Promise<AccountingFigures> {
    // The division's currency, as the check before the run found it.
    this.currency ??= (await this.check()).currency;
    return this.books.figures(before, this.currency ?? 'EUR');
  }

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    if (isDerived(entity)) {
      // Balances and open items have no modification date of their own: a delta reads them all again.
      yield* offsetPages(await this.books[entity](), options.cursor, options.pageSize);
      return;
    }
    const resource = this.resource(entity);
    const since = options.modifiedSince ? Date.parse(options.modifiedSince) : undefined;
    for await (const page of this.pages(resource, resource.fields, options.cursor)) {
      // The sync endpoints page on Exact's row version, not on dates: a delta keeps what changed since.
      const records =
        since === undefined
          ? page.records
          : page.records.filter((row) => (exactMs(row.Modified) ?? 0) >= since);
      yield {
        records: resource.lines ? await this.withLines(resource, records) : records,
        nextCursor: page.nextCursor,
      };
    }
  }

  async fetch(entity: EntityName, ids: string[]): Promise<NativeRecord[]> {
    if (isDerived(entity)) {
      const wanted = new Set(ids);
      return (await this.books[entity]()).filter((row) => wanted.has(scalarText(row.ID)));
    }
    const resource = this.resource(entity);
    const found: Row[] = [];
    for (let start = 0; start < ids.length; start += EXACT_FACTS.idsPerLookup) {
      const chunk = ids.slice(start, start + EXACT_FACTS.idsPerLookup);
      for await (const page of odataPages<Row>({
        first: resource.path,
        cursor: null,
        fetch: (url) =>
          this.client
            .api<Page>({
              method: 'get',
              path: url,
              params:
                url === resource.path
                  ? {
                      $filter: chunk.map((id) => `${resource.key} eq guid'${id}'`).join(' or '),
                      $select: [
                        ...resource.fields.filter((field) => field !== 'Timestamp'),
                        ...(resource.lines ? [resource.lines] : []),
                      ].join(','),
                      ...(resource.lines ? { $expand: resource.lines } : {}),
                    }
                  : undefined,
            })
            .then((reply) => ({ results: reply.d.results, next: reply.d.__next })),
      }))
        found.push(...page.records);
    }
    return found.map((row) =>
      resource.lines
        ? {
            ...row,
            [resource.lines]: (row[resource.lines] as { results?: Row[] } | undefined)?.results ?? [],
          }
        : row,
    );
  }

  async count(entity: EntityName): Promise<number | null> {
    if (isDerived(entity)) return (await this.books[entity]()).length;
    return (await this.index(this.resource(entity))).size;
  }

  async deletedSince(entity: EntityName, since: string): Promise<string[]> {
    if (isDerived(entity)) return [];
    const resource = this.resource(entity);
    if (resource.entityType === undefined) return [];
    const ids: string[] = [];
    const first = `sync/Deleted?$filter=${encodeURIComponent(`Timestamp gt 1L and EntityType eq ${resource.entityType}`)}&$select=EntityKey,DeletedDate`;
    for await (const page of odataPages<Row>({
      first,
      cursor: null,
      fetch: (url) =>
        this.client
          .api<Page>({ method: 'get', path: url })
          .then((reply) => ({ results: reply.d.results, next: reply.d.__next })),
    }))
      for (const row of page.records)
        if ((exactMs(row.DeletedDate) ?? 0) >= Date.parse(since)) ids.push(scalarText(row.EntityKey));
    return ids;
  }

  async delete(entity: EntityName, ids: string[]): Promise<void> {
    const resource = this.resource(entity);
    for (const id of ids)
      await this.client
        .api({ method: 'delete', path: `${resource.path}(guid'${id}')` })
        .catch((error: unknown) => {
          // Gone already: what the delete wanted.
          if (!/HTTP 404/.test((error as Error).message)) throw error;
        });
    this.indexes.delete(resource.path);
  }

  /** A record as read, in the shape a write sends: without OData's metadata, its key and what Exact computes. */
  writeShape(entity: EntityName, record: NativeRecord): NativeRecord {
    const resource = this.resource(entity);
    const shape: Row = { ...record };
    for (const field of ['__metadata', resource.key, 'Timestamp', 'Modified', ...(resource.computed ?? [])])
      delete shape[field];
    return shape;
  }

  upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    return writeBatch(this.target(this.resource(entity)), items);
  }

  preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    return previewBatch(this.target(this.resource(entity)), items);
  }

  // ---- writes ------------------------------------------------------------------------------------

  private target(resource: ExactResource): BatchTarget {
    return {
      cap: 1,
      match: async (items) => {
        const index = await this.index(resource);
        return items.map((item): Found | undefined => {
          const identity = trimmed(item.payload[resource.identity]);
          if (!identity)
            return {
              error: `an Exact record needs ${resource.identity} to be matched on; the mapping gave none`,
            };
          const id = index.get(identity);
          return id ? { id } : undefined;
        });
      },
      create: async ([item]) => {
        const body = await this.body(resource, item, 'create');
        if ('error' in body) return [body];
        const reply = await this.client.api<{ d: Row }>({
          method: 'post',
          path: resource.path,
          data: body.payload,
        });
        const id = scalarText(reply.d[resource.key]);
        (await this.index(resource)).set(trimmed(item.payload[resource.identity]), id);
        return [{ id, parts: linesWritten(resource, reply.d), refs: this.refs(item, id) }];
      },
      update: async ([{ item, id }]) => {
        const body = await this.body(resource, item, 'update');
        if ('error' in body) return [body];
        await this.client.api({ method: 'put', path: `${resource.path}(guid'${id}')`, data: body.payload });
        return [{ id, refs: this.refs(item, id) }];
      },
      relearn: () => {
        this.indexes.delete(resource.path);
        return Promise.resolve();
      },
      stale: () => this.indexes.delete(resource.path),
    };
  }

  /** What a write sends: codes resolved to Exact's ids, computed fields checked and left out. */
  private async body(
    resource: ExactResource,
    item: LoadItem,
    operation: 'create' | 'update',
  ): Promise<{ payload: Row } | Extract<ItemAnswer, { error: string }>> {
    const payload: Row = { ...item.payload };
    // Fields starting with `_` are the mapping's hints to the connector (a default VAT code, a product's
    // SKUs): used here, never sent.
    const hints = Object.fromEntries(
      Object.keys(payload)
        .filter((key) => key.startsWith('_'))
        .map((key) => [key, payload[key]]),
    );
    for (const key of Object.keys(hints)) delete payload[key];
    if (resource.padded && payload.Code !== undefined) {
      payload.Code = trimmed(payload.Code);
      // Refused here, not by Exact: ten refusals an hour block the app on the endpoint.
      if (payload.Code.length > EXACT_FACTS.accountCodeLength)
        return {
          error: `an Exact account code holds at most ${EXACT_FACTS.accountCodeLength} characters; the mapping gave ${payload.Code.length} ("${payload.Code}")`,
        };
    }
    if (resource.lines) {
      const problem = await this.resolveInvoice(
        payload,
        resource.lines,
        hints._vatCodes as unknown[] | undefined,
      );
      if (problem) return { error: problem };
    }
    for (const field of resource.computed ?? []) delete payload[field];
    if (operation === 'update') for (const field of resource.fixed ?? []) delete payload[field];
    return { payload };
  }

  /** A product's variants all resolve to its one item, by SKU. */
  private refs(item: LoadItem, id: string): RecordRefs | undefined {
    const skus = item.payload._variantSkus as string[] | undefined;
    return skus ? { variants: Object.fromEntries(skus.map((sku) => [sku, id])) } : undefined;
  }

  /**
   * An invoice's customer and lines' items may be given by code (a guest account, a shipping item): they are
   * looked up. Then its VAT and total are computed as Exact computes them (each line's amount and VAT rounded
   * to the cent) and compared with what the source says they are.
   */
  private async resolveInvoice(
    payload: Row,
    linesField: string,
    vatCodes: unknown[] = [],
  ): Promise<string | undefined> {
    if (payload.OrderedBy && !GUID.test(scalarText(payload.OrderedBy))) {
      const account = (await this.index(EXACT_RESOURCES.customers)).get(trimmed(payload.OrderedBy));
      if (!account)
        return `no Exact account has code ${trimmed(payload.OrderedBy)} (the invoice's customer); create it or map another`;
      payload.OrderedBy = account;
    }
    if (!payload.OrderedBy)
      return 'the invoice has no customer (OrderedBy); map guest orders to an account code';
    const lines = ((payload[linesField] as Row[] | undefined) ?? []).map((line) => ({ ...line }));
    const items = await this.index(EXACT_RESOURCES.items);
    const rates = await this.rates();
    let amount = new Decimal(0);
    let vat = new Decimal(0);
    for (const [index, line] of lines.entries()) {
      if (line.Item && !GUID.test(scalarText(line.Item))) {
        const found = items.get(trimmed(line.Item));
        if (!found)
          return `no Exact item has code ${trimmed(line.Item)} (line "${scalarText(line.Description)}"); create it or map another`;
        line.Item = found;
      }
      if (line.VATCode === undefined || line.VATCode === null) line.VATCode = vatCodes[index] ?? null;
      const code = trimmed(line.VATCode);
      const rate = code ? rates.get(code) : new Decimal(0);
      if (!rate)
        return `no Exact VAT code ${code} (line "${scalarText(line.Description)}"); add it to the plan's VAT code value map or create it in Exact`;
      const lineAmount = new Decimal(scalarText(line.Quantity ?? 1))
        .times(scalarText(line.NetPrice ?? 0))
        .toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      amount = amount.plus(lineAmount);
      vat = vat.plus(lineAmount.times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP));
    }
    payload[linesField] = lines;
    const expected = { VATAmountFC: payload.VATAmountFC, AmountFC: payload.AmountFC };
    const computed = { VATAmountFC: vat, AmountFC: amount.plus(vat) };
    for (const field of ['VATAmountFC', 'AmountFC'] as const)
      if (
        expected[field] !== undefined &&
        expected[field] !== null &&
        !computed[field].equals(scalarText(expected[field]))
      )
        return `Exact would compute ${field === 'VATAmountFC' ? 'VAT' : 'a total'} of ${computed[field].toFixed(2)} from these lines (each line's VAT rounded to the cent), but the source says ${new Decimal(scalarText(expected[field])).toFixed(2)}: lines ${lines.map((line) => `${scalarText(line.Quantity)} × ${scalarText(line.NetPrice)} at VAT ${trimmed(line.VATCode) || 'none'}`).join(', ')}; the VAT is never recomputed silently`;
    return undefined;
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** Pages of a resource from its sync endpoint (from the first row version), or its standard one. */
  private pages(resource: ExactResource, fields: string[], cursor: string | null) {
    const select = fields.filter((field) => resource.sync || field !== 'Timestamp').join(',');
    const first = resource.sync
      ? `${resource.sync}?$filter=${encodeURIComponent('Timestamp gt 1L')}&$select=${select}`
      : `${resource.path}?$select=${select}`;
    return odataPages<Row>({
      first,
      cursor,
      fetch: (url) =>
        this.client
          .api<Page>({ method: 'get', path: url })
          .then((reply) => ({ results: reply.d.results, next: reply.d.__next })),
    });
  }

  /** Identity value → Exact id for every record of a resource, read once a run (1,000 a call). */
  private index(resource: ExactResource): Promise<Map<string, string>> {
    let index = this.indexes.get(resource.path);
    if (!index) {
      index = (async () => {
        const found = new Map<string, string>();
        for await (const page of this.pages(resource, [resource.key, resource.identity], null))
          for (const row of page.records)
            if (trimmed(row[resource.identity]))
              found.set(trimmed(row[resource.identity]), scalarText(row[resource.key]));
        return found;
      })();
      index.catch(() => this.indexes.delete(resource.path));
      this.indexes.set(resource.path, index);
    }
    return index;
  }

  private rates(): Promise<Map<string, Decimal>> {
    this.vatRates ??= (async () => {
      const rates = new Map<string, Decimal>();
      for await (const page of this.pages(EXACT_RESOURCES.vatCodes, ['Code', 'Percentage'], null))
        for (const row of page.records)
          rates.set(trimmed(row.Code), new Decimal(scalarText(row.Percentage ?? 0)));
      return rates;
    })();
    this.vatRates.catch(() => (this.vatRates = undefined));
    return this.vatRates;
  }

  private async withLines(resource: ExactResource, records: Row[]): Promise<Row[]> {
    if (records.length === 0) return records;
    const full = await this.fetch(
      'salesInvoices',
      records.map((row) => scalarText(row[resource.key])),
    );
    const byId = new Map(full.map((row) => [scalarText(row[resource.key]), row]));
    return records.map((row) => ({
      ...row,
      [resource.lines!]: byId.get(scalarText(row[resource.key]))?.[resource.lines!] ?? [],
    }));
  }

  private resource(entity: EntityName): ExactResource {
    if (isDerived(entity))
      throw new SwitchyardError(
        'PLAN_INVALID',
        `exact-online reads ${entity} from its books; writing them into Exact Online is not built yet`,
      );
    const resource = EXACT_RESOURCES[entity];
    if (!resource) throw new SwitchyardError('PLAN_INVALID', `exact-online cannot handle ${entity}`);
    return resource;
  }
}

/** An invoice's lines as Exact made them with it: for the journal. */
function linesWritten(resource: ExactResource, record: Row): WrittenPart[] | undefined {
  if (!resource.lines) return undefined;
  const lines = (record[resource.lines] as { results?: Row[] } | undefined)?.results ?? [];
  return lines.map((line) => ({
    part: 'line',
    object: resource.lines!,
    destinationId: scalarText(line.ID),
    action: 'created' as const,
  }));
}

/** `/Date(ms)/` in ms. */
function exactMs(value: unknown): number | undefined {
  const match = /\/Date\((-?\d+)\)\//.exec(scalarText(value));
  return match ? Number(match[1]) : undefined;
}
