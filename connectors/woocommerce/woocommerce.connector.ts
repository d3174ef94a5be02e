import pLimit from 'p-limit';
import {
  type CallLimiter,
  type Connector,
  type EntityDescriptor,
  type EntityName,
  isOutcomeUnknown,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type WrittenPart,
  type PlatformInfo,
  type ReadOptions,
  type ReadPage,
  type RecordRefs,
  parseUtc,
  scalarText,
  SwitchyardError,
  type BatchTarget,
  type Found,
  type ItemAnswer,
  numberedPages,
  previewBatch,
  writeBatch,
} from '../../src/connectors';
import { WooClient, type WcErrorBody } from './woocommerce.client';
import { WOO_FACTS } from './woocommerce.facts';
import { type IndexedKind, naturalKeyOf, WooIdentityIndex } from './woocommerce.identity';
import {
  attachmentsBySource,
  IMAGE_UPLOAD_ERROR,
  INVALID_IMAGE_ID,
  reusingAttachments,
  withImageSources,
  withoutInvalidAttachment,
  withoutRefusedImages,
  withSourceImages,
} from './woocommerce.images';

type Row = Record<string, any>;
type BatchItem = Row & { error?: WcErrorBody };
type BatchOperation = 'create' | 'update' | 'delete';

const ENTITIES: Record<IndexedKind, EntityDescriptor> = {
  customers: {
    idField: 'id',
    naturalKey: 'email',
    modifiedAtField: 'date_modified_gmt',
    batchLimit: WOO_FACTS.batchLimit,
    maxPageSize: WOO_FACTS.maxPageSize,
    // wp_users.user_email is varchar(100); a customer's name becomes its display_name, varchar(250).
    fieldLimits: { email: 100 },
    // One account per email (email_exists, case-insensitive); one SKU across products and variations.
    uniqueKeys: ['email'],
  },
  products: {
    idField: 'id',
    naturalKey: 'sku',
    modifiedAtField: 'date_modified_gmt',
    batchLimit: WOO_FACTS.batchLimit,
    maxPageSize: WOO_FACTS.maxPageSize,
    uniqueKeys: ['sku'],
    archive: 'moved to the trash (DELETE without force): out of the shop, restorable',
  },
  orders: {
    idField: 'id',
    naturalKey: `meta_data.${WOO_FACTS.sourceIdMetaKey}`,
    modifiedAtField: 'date_modified_gmt',
    batchLimit: WOO_FACTS.batchLimit,
    maxPageSize: WOO_FACTS.maxPageSize,
    archive: 'moved to the trash (DELETE without force): out of the order list, restorable',
  },
};

/** WooCommerce's per-item refusals that mean "it exists already": look it up and update instead. */
const EXISTS = { customers: 'registration-error-email-exists', products: 'product_invalid_sku' } as const;
/** Per-item refusals of an update or delete whose record is no longer in the store. */
const GONE = new Set([
  'woocommerce_rest_invalid_id',
  'woocommerce_rest_product_invalid_id',
  'woocommerce_rest_shop_order_invalid_id',
]);

const describe = (error: WcErrorBody | undefined) =>
  `WooCommerce refused it: ${error?.code ?? 'error'}: ${error?.message ?? 'no reason given'}`;

/**
 * WooCommerce through REST wc/v3. Reads page by page ordered by id; a variable product's variations are
 * read with it. Writes go through `/batch` (≤100 items): customers match on email and products on SKU
 * (an "already exists" refusal turns into an update), orders carry their source id in meta data and a
 * resumed load searches for it before creating.
 */
export class WooConnector implements Connector {
  readonly platform = 'woocommerce';
  readonly entities = ENTITIES;
  private readonly client: WooClient;
  private readonly index: Record<IndexedKind, WooIdentityIndex>;

  /** Variation writes in flight at once: the plan's concurrency, never a whole page's products together. */
  private readonly inFlight: ReturnType<typeof pLimit>;

  constructor(
    url: string,
    consumerKey: string,
    consumerSecret: string,
    private readonly options: {
      limiter?: CallLimiter;
      concurrency?: number;
      unreachableImages?: 'warn' | 'quarantine';
    } = {},
  ) {
    if (!consumerKey || !consumerSecret) {
      throw new SwitchyardError(
        'PLAN_INVALID',
        'woocommerce needs credentials.consumerKey and credentials.consumerSecret',
      );
    }
    this.client = new WooClient(url, consumerKey, consumerSecret, options.limiter);
    this.inFlight = pLimit(options.concurrency ?? 4);
    this.index = {
      customers: new WooIdentityIndex(this.client, 'customers'),
      products: new WooIdentityIndex(this.client, 'products'),
      orders: new WooIdentityIndex(this.client, 'orders'),
    };
  }

  get stats() {
    return this.client.stats;
  }

  async check(): Promise<PlatformInfo> {
    const response = await this.client.request<{ code: string }>('get', 'data/currencies/current', {
      retries: 1,
    });
    return { currency: response.data.code };
  }

  idOf(_entity: EntityName, record: NativeRecord): string {
    return String(record.id);
  }

  /** A product's variants by SKU: its variations, or a simple product itself. */
  refsOf(entity: EntityName, record: NativeRecord): RecordRefs | undefined {
    if (entity !== 'products') return undefined;
    if (record.type !== 'variable')
      return { variants: record.sku ? { [scalarText(record.sku)]: String(record.id) } : {} };
    return {
      variants: Object.fromEntries(
        ((record.variations as Row[] | undefined) ?? []).map((v) => [String(v.sku), String(v.id)]),
      ),
    };
  }

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    const kind = this.kind(entity);
    const perPage = Math.min(options.pageSize, WOO_FACTS.maxPageSize);
    // Products and orders filter on the server; the customers endpoint has no modified_after: a scan.
    const scan = options.modifiedSince !== undefined && kind === 'customers';
    const since =
      options.modifiedSince && !scan ? { modified_after: options.modifiedSince, dates_are_gmt: true } : {};
    const pages = numberedPages<Row>({
      cursor: options.cursor,
      fetch: async (page) => {
        const params = { page, per_page: perPage, orderby: 'id', order: 'asc', ...since };
        const response = await this.client.request<Row[]>('get', kind, { params: stringify(params) });
        return { records: response.data, totalPages: Number(response.headers['x-wp-totalpages'] ?? 0) };
      },
    });
    for await (const page of pages) {
      const changed = scan
        ? page.records.filter(
            (record) =>
              (parseUtc(scalarText(record.date_modified_gmt)) ?? 0) > Date.parse(options.modifiedSince!),
          )
        : page.records;
      yield {
        records: kind === 'products' ? await this.withVariations(changed) : changed,
        nextCursor: page.nextCursor,
      };
    }
  }

  async fetch(entity: EntityName, ids: string[]): Promise<NativeRecord[]> {
    const kind = this.kind(entity);
    const found: Row[] = [];
    for (let start = 0; start < ids.length; start += WOO_FACTS.maxPageSize) {
      const include = ids.slice(start, start + WOO_FACTS.maxPageSize).join(',');
      const params = {
        include,
        per_page: WOO_FACTS.maxPageSize,
        ...(kind === 'customers' ? { role: 'all' } : {}),
      };
      const response = await this.client.request<Row[]>('get', kind, { params: stringify(params) });
      found.push(...response.data);
    }
    return kind === 'products' ? this.withVariations(found) : found;
  }

  async count(entity: EntityName): Promise<number | null> {
    const response = await this.client.request<Row[]>('get', this.kind(entity), {
      params: { per_page: '1' },
    });
    const total = Number(response.headers['x-wp-total']);
    return Number.isFinite(total) ? total : null;
  }

  async delete(entity: EntityName, ids: string[]): Promise<void> {
    const kind = this.kind(entity);
    for (let start = 0; start < ids.length; start += WOO_FACTS.batchLimit) {
      const result = await this.batch(kind, {
        delete: ids.slice(start, start + WOO_FACTS.batchLimit).map(Number),
      });
      const refused = result.delete.filter((item) => item.error && !GONE.has(item.error.code ?? ''));
      if (refused.length > 0)
        throw new SwitchyardError(
          'PLATFORM_REJECTED',
          `cannot delete ${kind}: ${describe(refused[0].error)}`,
        );
    }
    // The identity index must not match a record that is gone.
    for (const id of ids) this.index[kind].forget(Number(id));
  }

  /** To the trash, one call each: a batch delete always deletes for good. Customers have no trash. */
  async archive(entity: EntityName, ids: string[]): Promise<void> {
    const kind = this.kind(entity);
    if (!ENTITIES[kind].archive)
      throw new SwitchyardError('PLAN_INVALID', `WooCommerce ${kind} have no trash`);
    for (const id of ids)
      await this.client.request('delete', `${kind}/${id}`).catch((error: unknown) => {
        const code = ((error as SwitchyardError).details as WcErrorBody | undefined)?.code ?? '';
        // Trashed already, or gone: what archiving wanted.
        if (code !== 'woocommerce_rest_already_trashed' && !GONE.has(code)) throw error;
      });
  }

  /** A record in the shape its write had: a product's images under the URLs they were given from. */
  writeShape(entity: EntityName, record: NativeRecord): NativeRecord {
    return entity === 'products' ? withSourceImages(record) : record;
  }

  async upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    if (kind !== 'products') return writeBatch(this.target(kind), items);
    const outcomes: LoadOutcome[] = [];
    // A chunk's variable products write their variations at once: one batch's worth at a time.
    for (let start = 0; start < items.length; start += WOO_FACTS.batchLimit)
      outcomes.push(...(await this.upsertProducts(items.slice(start, start + WOO_FACTS.batchLimit))));
    return outcomes;
  }

  /**
   * What upsert would do, by the same matching and with no writes: a record the ledger knows, or one the
   * store holds under its source id (or its email or SKU), would be updated; anything else created.
   */
  async preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    return previewBatch(this.target(this.kind(entity)), items);
  }

  // ---- reads -----------------------------------------------------------------------------------

  private async withVariations(products: Row[]): Promise<Row[]> {
    return Promise.all(
      products.map(async (product) =>
        product.type === 'variable'
          ? { ...product, variations: await this.variationsOf(product.id as number) }
          : product,
      ),
    );
  }

  private async variationsOf(productId: number): Promise<Row[]> {
    const all: Row[] = [];
    const pages = numberedPages<Row>({
      cursor: null,
      fetch: async (page) => {
        const response = await this.client.request<Row[]>('get', `products/${productId}/variations`, {
          params: stringify({ page, per_page: WOO_FACTS.maxPageSize, orderby: 'id', order: 'asc' }),
        });
        return { records: response.data, totalPages: Number(response.headers['x-wp-totalpages'] ?? 1) };
      },
    });
    for await (const page of pages) all.push(...page.records);
    return all;
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * How records of a kind are written through the kit's batch writer: matched on the ledger's id, else the
   * record carrying its source id, else (customers and products) the one holding its email or SKU; created
   * and updated through `/batch`, every record carrying its source id in meta data. A create refused because
   * the email or SKU exists (made since the index was read) is matched again; an update of a record deleted
   * in the store since creates it again. A placed order's lines and totals are never rewritten: status,
   * addresses and notes follow the source.
   */
  private target(kind: IndexedKind): BatchTarget {
    const answer = (
      result: BatchItem,
      extra: Partial<Extract<ItemAnswer, { id: string }>> = {},
    ): ItemAnswer =>
      result.error
        ? {
            error: `${result.error.code === IMAGE_UPLOAD_ERROR ? 'images: ' : ''}${describe(result.error)}`,
            ...(kind !== 'orders' && result.error.code === EXISTS[kind]
              ? { refusal: 'exists' as const }
              : {}),
            ...(GONE.has(result.error.code ?? '') ? { refusal: 'gone' as const } : {}),
          }
        : { id: String(result.id), ...extra };
    return {
      cap: WOO_FACTS.batchLimit,
      match: async (items) => {
        // One after another: the first lookup reads the store's index, the rest use it.
        const found: (Found | undefined)[] = [];
        for (const item of items) found.push(await this.matchOne(kind, item));
        return found;
      },
      create: async (items) => {
        const created = await this.writeBatch(kind, 'create', items.map(withIdentity));
        return created.results.map((result, index) => {
          if (!result.error)
            this.index[kind].remember(
              Number(result.id),
              items[index].sourceId,
              naturalKeyOf(kind, items[index].payload),
            );
          return answer(result, { parts: orderItems(result), ...created.warnings[index] });
        });
      },
      update: async (entries) => {
        const payloads = entries.map(({ item, id }) => {
          const payload = withIdentity(item);
          if (kind === 'orders')
            for (const key of ['line_items', 'shipping_lines', 'fee_lines']) delete payload[key];
          return { ...payload, id: Number(id) };
        });
        const updated = await this.writeBatch(
          kind,
          'update',
          kind === 'products' ? await this.reusingImages(payloads) : payloads,
        );
        return updated.results.map((result, index) => answer(result, updated.warnings[index]));
      },
      relearn: async (entries, refusal) => {
        for (const { item, id } of entries)
          if (refusal === 'gone') this.index[kind].forget(Number(id));
          else if (kind !== 'orders') await this.learnByKey(kind, item.payload);
      },
      stale: () => this.index[kind].markStale(),
    };
  }

  /**
   * An item's record in the store by its source id, else by its email or SKU. A record found by key that
   * carries another source id belongs to another source record: the source holds that email or SKU twice.
   */
  private async matchOne(kind: IndexedKind, item: LoadItem): Promise<Found | undefined> {
    const key = naturalKeyOf(kind, item.payload);
    const found = await this.index[kind].find(item.sourceId, key);
    if (!found) return undefined;
    if (found.holder === undefined || found.holder === item.sourceId) return { id: String(found.id) };
    const what = kind === 'customers' ? 'email' : 'SKU';
    return {
      error: `WooCommerce's ${kind} ${found.id} already holds the ${what} "${key}" for source record ${found.holder}: the source holds it twice; merge the two (cleaning: merge) or give one another ${what}`,
    };
  }

  /** Asks the store for the record holding a payload's email or SKU, and adds it to the index. */
  private async learnByKey(kind: 'customers' | 'products', payload: Row): Promise<void> {
    const params = kind === 'customers' ? { email: payload.email, role: 'all' } : { sku: payload.sku };
    const response = await this.client.request<Row[]>('get', kind, { params: stringify(params) });
    for (const record of response.data) this.index[kind].learn(record);
  }

  private async upsertProducts(items: LoadItem[]): Promise<LoadOutcome[]> {
    const parents = await writeBatch(this.target('products'), items);
    return Promise.all(
      parents.map(async (outcome, index) => {
        if (outcome.action !== 'created' && outcome.action !== 'updated') return outcome;
        const payload = items[index].payload;
        // The mapping's `children.variations`: written apart, through the product's variations endpoint.
        const variations = items[index].children?.variations ?? [];
        if (payload.type !== 'variable') {
          return {
            ...outcome,
            refs: { variants: payload.sku ? { [scalarText(payload.sku)]: outcome.destinationId } : {} },
          };
        }
        // A product this call created has no variations yet: nothing to read before writing them.
        const fresh = outcome.action === 'created';
        const result = await this.inFlight(() =>
          this.upsertVariations(Number(outcome.destinationId), variations, fresh),
        ).catch((error: unknown) => {
          // Only this product's variations are in doubt; they are matched by SKU when it is tried again.
          if (isOutcomeUnknown(error)) return error;
          throw error;
        });
        if (result instanceof SwitchyardError)
          return unknown(items[index], result.message, outcome.action === 'created' ? 'create' : 'update');
        if ('error' in result)
          return { sourceId: outcome.sourceId, action: 'failed' as const, error: result.error };
        return { ...outcome, refs: { variants: result.variants }, parts: result.parts };
      }),
    );
  }

  /** Variations match on SKU within their product; a failed variation fails the product with its reason. */
  private async upsertVariations(
    productId: number,
    variations: Row[],
    fresh: boolean,
  ): Promise<{ variants: Record<string, string>; parts: WrittenPart[] } | { error: string }> {
    const current = fresh ? [] : await this.variationsOf(productId);
    const existing = new Map(current.map((variation) => [String(variation.sku), variation.id as number]));
    const variants: Record<string, string> = {};
    const parts: WrittenPart[] = [];
    const errors: string[] = [];
    for (let start = 0; start < variations.length; start += WOO_FACTS.batchLimit) {
      const chunk = variations.slice(start, start + WOO_FACTS.batchLimit);
      const create = chunk.filter((v) => !existing.has(String(v.sku)));
      const update: Row[] = chunk
        .filter((v) => existing.has(String(v.sku)))
        .map((v) => ({ ...v, id: existing.get(String(v.sku)) }));
      const result = await this.batch(`products/${productId}/variations`, { create, update });
      const results = [
        ...result.create.map((r, i) => [create[i], r] as const),
        ...result.update.map((r, i) => [update[i], r] as const),
      ];
      for (const [sent, response] of results) {
        if (response.error) errors.push(`variant ${sent.sku}: ${describe(response.error)}`);
        else {
          variants[String(sent.sku)] = String(response.id);
          const was = current.find((variation) => variation.id === sent.id);
          parts.push({
            part: 'variant',
            object: 'variations',
            destinationId: String(response.id),
            action: was ? 'updated' : 'created',
            ...(was
              ? { before: Object.fromEntries(Object.keys(sent).map((key) => [key, was[key] ?? null])) }
              : {}),
          });
        }
      }
    }
    return errors.length > 0 ? { error: errors.join('; ') } : { variants, parts };
  }

  /**
   * Product updates whose images the store holds already send them by attachment id, read from the
   * products (one call for the batch): a store downloads an image sent by `src` into a new attachment each
   * time, so every update would add a copy of every image to its media library.
   */
  private async reusingImages(payloads: Row[]): Promise<Row[]> {
    const ids = payloads.filter((p) => Array.isArray(p.images) && p.images.length > 0).map((p) => p.id);
    if (ids.length === 0) return payloads;
    const response = await this.client.request<Row[]>('get', 'products', {
      params: stringify({
        include: ids.join(','),
        per_page: WOO_FACTS.maxPageSize,
        _fields: 'id,images,meta_data',
      }),
    });
    const held = new Map(response.data.map((product) => [Number(product.id), attachmentsBySource(product)]));
    return payloads.map((payload) => reusingAttachments(payload, held.get(Number(payload.id)) ?? new Map()));
  }

  /**
   * One `/batch` create or update; a product carries the sources of its images (IMAGE_SOURCES_META). A
   * product the store refused over an image is written again: without the new images it could not
   * download (and say so in a warning, unless the plan quarantines them: `unreachableImages: quarantine`),
   * or with an attachment it no longer holds sent by its source URL. A refused write saved nothing, so
   * writing it again doubles nothing.
   */
  private async writeBatch(
    kind: IndexedKind,
    operation: 'create' | 'update',
    payloads: Row[],
  ): Promise<{ results: BatchItem[]; warnings: ({ warning: string } | undefined)[] }> {
    const sent = kind === 'products' ? payloads.map(withImageSources) : [...payloads];
    const results = (await this.batch(kind, { [operation]: sent }))[operation];
    const dropped = payloads.map((): string[] => []);
    for (let round = 0; round < 3 && kind === 'products'; round++) {
      const again = results.flatMap((result, index) => {
        const retry = this.imageRetry(result, sent[index]);
        if (!retry) return [];
        sent[index] = withImageSources(retry.payload);
        dropped[index].push(...retry.dropped);
        return [index];
      });
      if (again.length === 0) break;
      const retried = (await this.batch(kind, { [operation]: again.map((index) => sent[index]) }))[operation];
      again.forEach((index, at) => (results[index] = retried[at]));
    }
    const warnings = dropped.map((images, index) =>
      images.length > 0 && !results[index].error
        ? {
            warning: `images: loaded without ${images.join(', ')}: the store could not fetch ${images.length === 1 ? 'it' : 'them'}`,
          }
        : undefined,
    );
    return { results, warnings };
  }

  /** A product refused over an image, as it can be written again; null when the refusal stands. */
  private imageRetry(result: BatchItem, payload: Row): { payload: Row; dropped: string[] } | null {
    const message = result.error?.message ?? '';
    if (result.error?.code === INVALID_IMAGE_ID) {
      const bySource = withoutInvalidAttachment(payload, message);
      return bySource && { payload: bySource, dropped: [] };
    }
    if (result.error?.code !== IMAGE_UPLOAD_ERROR || this.options.unreachableImages === 'quarantine')
      return null;
    return withoutRefusedImages(payload, message);
  }

  /**
   * One `/batch` call (create, update and delete together, as WooCommerce takes them). Its reply must hold
   * one result per item sent for each operation, in order; anything else (a reply cut short, a proxy's page)
   * leaves the outcome unknown.
   */
  private async batch(
    path: string,
    body: Partial<Record<BatchOperation, (Row | number)[]>>,
  ): Promise<Record<BatchOperation, BatchItem[]>> {
    const response = await this.client.request<Partial<Record<BatchOperation, BatchItem[]>>>(
      'post',
      `${path}/batch`,
      { data: body },
    );
    const results = { create: [], update: [], delete: [] } as Record<BatchOperation, BatchItem[]>;
    for (const operation of ['create', 'update', 'delete'] as const) {
      const sent = body[operation] ?? [];
      if (sent.length === 0) continue;
      const answer = response.data[operation];
      if (
        !Array.isArray(answer) ||
        answer.length !== sent.length ||
        answer.some((r) => !r || typeof r !== 'object')
      )
        throw new SwitchyardError(
          'OUTCOME_UNKNOWN',
          `POST ${path}/batch answered without one result per ${operation}d item`,
        );
      results[operation] = answer;
    }
    return results;
  }

  private kind(entity: EntityName): IndexedKind {
    if (!(entity in ENTITIES))
      throw new SwitchyardError('PLAN_INVALID', `woocommerce cannot handle ${entity}`);
    return entity as IndexedKind;
  }
}

/** An order's items as WooCommerce made them with it (lines, shipping and fee lines): for the journal. */
function orderItems(order: Row): WrittenPart[] {
  return (['line_items', 'shipping_lines', 'fee_lines'] as const).flatMap((object) =>
    ((order[object] as Row[] | undefined) ?? []).map((line): WrittenPart => ({
      part: 'line',
      object,
      destinationId: String(line.id),
      action: 'created',
    })),
  );
}

/** A payload as written, carrying its source id in meta data. */
function withIdentity(item: LoadItem): Row {
  const payload: Row = { ...item.payload };
  payload.meta_data = [
    ...((payload.meta_data as Row[] | undefined) ?? []).filter(
      (meta) => meta.key !== WOO_FACTS.sourceIdMetaKey,
    ),
    { key: WOO_FACTS.sourceIdMetaKey, value: item.sourceId },
  ];
  return payload;
}

function unknown(item: LoadItem, error: string, attempted?: 'create' | 'update'): LoadOutcome {
  return { sourceId: item.sourceId, action: 'unknown', error, ...(attempted ? { attempted } : {}) };
}

/** The client's query type is string → string. */
function stringify(params: Row): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}
