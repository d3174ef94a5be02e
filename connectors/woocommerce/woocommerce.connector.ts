import type { AxiosResponse } from 'axios';
import type { EntityName } from '../../src/canonical/entities';
import { SwitchyardError } from '../../src/common/errors';
import type {
  CallLimiter,
  Connector,
  EntityDescriptor,
  LoadItem,
  LoadOutcome,
  NativeRecord,
  PlatformInfo,
  ReadOptions,
  ReadPage,
} from '../../src/connectors/connector.port';
import { scalarText } from '../../src/common/text';
import { WooClient, type WcErrorBody } from './woocommerce.client';
import { WOO_FACTS } from './woocommerce.facts';

type Row = Record<string, any>;
type Kind = 'customers' | 'products' | 'orders';
type BatchItem = Row & { error?: WcErrorBody };

const ENTITIES: Record<Kind, EntityDescriptor> = {
  customers: {
    idField: 'id',
    naturalKey: 'email',
    modifiedAtField: 'date_modified_gmt',
    batchLimit: WOO_FACTS.batchLimit,
    maxPageSize: WOO_FACTS.maxPageSize,
  },
  products: {
    idField: 'id',
    naturalKey: 'sku',
    modifiedAtField: 'date_modified_gmt',
    batchLimit: WOO_FACTS.batchLimit,
    maxPageSize: WOO_FACTS.maxPageSize,
  },
  orders: {
    idField: 'id',
    naturalKey: `meta_data.${WOO_FACTS.sourceIdMetaKey}`,
    modifiedAtField: 'date_modified_gmt',
    batchLimit: WOO_FACTS.batchLimit,
    maxPageSize: WOO_FACTS.maxPageSize,
  },
};

/** WooCommerce's per-item refusals that mean "it exists already": look it up and update instead. */
const EXISTS = { customers: 'registration-error-email-exists', products: 'product_invalid_sku' } as const;

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

  constructor(url: string, consumerKey: string, consumerSecret: string, limiter?: CallLimiter) {
    if (!consumerKey || !consumerSecret) {
      throw new SwitchyardError(
        'PLAN_INVALID',
        'woocommerce needs credentials.consumerKey and credentials.consumerSecret',
      );
    }
    this.client = new WooClient(url, consumerKey, consumerSecret, limiter);
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

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    const kind = this.kind(entity);
    const perPage = Math.min(options.pageSize, WOO_FACTS.maxPageSize);
    let page = options.cursor ? Number(options.cursor) : 1;
    for (;;) {
      const params: Row = { page, per_page: perPage, orderby: 'id', order: 'asc' };
      if (options.modifiedSince)
        Object.assign(params, { modified_after: options.modifiedSince, dates_are_gmt: true });
      const response = await this.client.request<Row[]>('get', kind, { params: stringify(params) });
      const totalPages = Number(response.headers['x-wp-totalpages'] ?? 0);
      const records = kind === 'products' ? await this.withVariations(response.data) : response.data;
      const nextCursor = page < totalPages ? String(page + 1) : null;
      yield { records, nextCursor };
      if (!nextCursor) return;
      page += 1;
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
      const refused = (result.delete ?? []).filter((item) => item.error);
      if (refused.length > 0)
        throw new SwitchyardError(
          'PLATFORM_REJECTED',
          `cannot delete ${kind}: ${describe(refused[0].error)}`,
        );
    }
  }

  async upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    const outcomes: LoadOutcome[] = [];
    for (let start = 0; start < items.length; start += WOO_FACTS.batchLimit) {
      const chunk = items.slice(start, start + WOO_FACTS.batchLimit);
      if (kind === 'orders') outcomes.push(...(await this.upsertOrders(chunk)));
      else if (kind === 'products') outcomes.push(...(await this.upsertProducts(chunk)));
      else outcomes.push(...(await this.upsertByKey('customers', chunk)));
    }
    return outcomes;
  }

  /**
   * What upsert would do, by the same matching and with no writes: a record the ledger knows, or whose
   * email or SKU WooCommerce already holds, would be updated; anything else created. Orders match only on
   * the ledger's id (a resumed order found by its source id counts as created, as upsert counts it).
   */
  async preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    const found = new Set<LoadItem>();
    const unknown = items.filter((item) => !item.destinationId);
    if (kind === 'products') {
      for (let start = 0; start < unknown.length; start += WOO_FACTS.maxPageSize) {
        const chunk = unknown.slice(start, start + WOO_FACTS.maxPageSize);
        const skus = chunk.map((item) => scalarText(item.payload.sku)).filter(Boolean);
        if (skus.length === 0) continue;
        const response = await this.client.request<Row[]>('get', 'products', {
          params: stringify({ sku: skus.join(','), per_page: WOO_FACTS.maxPageSize }),
        });
        const taken = new Set(response.data.map((product) => String(product.sku)));
        for (const item of chunk) if (taken.has(scalarText(item.payload.sku))) found.add(item);
      }
    } else if (kind === 'customers') {
      for (const item of unknown) if (await this.findByKey('customers', item.payload)) found.add(item);
    }
    return items.map((item) => ({
      sourceId: item.sourceId,
      action: item.destinationId || found.has(item) ? 'updated' : 'created',
      destinationId: item.destinationId ?? '',
    }));
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
    for (let page = 1; ; page++) {
      const response = await this.client.request<Row[]>('get', `products/${productId}/variations`, {
        params: stringify({ page, per_page: WOO_FACTS.maxPageSize, orderby: 'id', order: 'asc' }),
      });
      all.push(...response.data);
      if (page >= Number(response.headers['x-wp-totalpages'] ?? 1)) return all;
    }
  }

  // ---- writes ----------------------------------------------------------------------------------

  /** Creates or updates by id; a create refused because the natural key exists becomes an update of that record. */
  private async upsertByKey(
    kind: 'customers' | 'products',
    items: LoadItem[],
  ): Promise<(LoadOutcome & { payload?: Row })[]> {
    const outcomes = new Map<LoadItem, LoadOutcome>();
    const known = items.filter((item) => item.destinationId);
    const fresh = items.filter((item) => !item.destinationId);
    const updates: { item: LoadItem; id: number; action: 'created' | 'updated' }[] = known.map((item) => ({
      item,
      id: Number(item.destinationId),
      action: 'updated',
    }));
    if (fresh.length > 0) {
      const created = await this.batch(kind, {
        create: fresh.map((item) => this.parentPayload(item.payload)),
      });
      for (const [index, result] of (created.create ?? []).entries()) {
        const item = fresh[index];
        if (!result.error)
          outcomes.set(item, {
            sourceId: item.sourceId,
            action: 'created',
            destinationId: String(result.id),
          });
        else if (result.error.code === EXISTS[kind]) {
          const id = await this.findByKey(kind, item.payload);
          if (id) updates.push({ item, id, action: 'updated' });
          else
            outcomes.set(item, { sourceId: item.sourceId, action: 'failed', error: describe(result.error) });
        } else
          outcomes.set(item, { sourceId: item.sourceId, action: 'failed', error: describe(result.error) });
      }
    }
    if (updates.length > 0) {
      const updated = await this.batch(kind, {
        update: updates.map(({ item, id }) => ({ ...this.parentPayload(item.payload), id })),
      });
      for (const [index, result] of (updated.update ?? []).entries()) {
        const { item, id, action } = updates[index];
        if (!result.error) outcomes.set(item, { sourceId: item.sourceId, action, destinationId: String(id) });
        else if (
          result.error.code === 'woocommerce_rest_invalid_id' ||
          result.error.code === 'woocommerce_rest_product_invalid_id'
        ) {
          // Deleted in the destination since the last run: create it again.
          outcomes.set(item, (await this.upsertByKey(kind, [{ ...item, destinationId: undefined }]))[0]);
        } else
          outcomes.set(item, { sourceId: item.sourceId, action: 'failed', error: describe(result.error) });
      }
    }
    return items.map((item) => outcomes.get(item)!);
  }

  private async findByKey(kind: 'customers' | 'products', payload: Row): Promise<number | null> {
    const params = kind === 'customers' ? { email: payload.email, role: 'all' } : { sku: payload.sku };
    const response = await this.client.request<Row[]>('get', kind, { params: stringify(params) });
    return (response.data[0]?.id as number | undefined) ?? null;
  }

  private parentPayload(payload: Row): Row {
    const parent = { ...payload };
    delete parent.variations;
    return parent;
  }

  private async upsertProducts(items: LoadItem[]): Promise<LoadOutcome[]> {
    const parents = await this.upsertByKey('products', items);
    return Promise.all(
      parents.map(async (outcome, index) => {
        if (outcome.action === 'failed') return outcome;
        const payload = items[index].payload;
        const variations = (payload.variations as Row[] | undefined) ?? [];
        if (payload.type !== 'variable') {
          return {
            ...outcome,
            refs: { variants: payload.sku ? { [scalarText(payload.sku)]: outcome.destinationId } : {} },
          };
        }
        const result = await this.upsertVariations(Number(outcome.destinationId), variations);
        if ('error' in result)
          return { sourceId: outcome.sourceId, action: 'failed' as const, error: result.error };
        return { ...outcome, refs: { variants: result.variants } };
      }),
    );
  }

  /** Variations match on SKU within their product; a failed variation fails the product with its reason. */
  private async upsertVariations(
    productId: number,
    variations: Row[],
  ): Promise<{ variants: Record<string, string> } | { error: string }> {
    const existing = new Map(
      (await this.variationsOf(productId)).map((variation) => [
        String(variation.sku),
        variation.id as number,
      ]),
    );
    const variants: Record<string, string> = {};
    const errors: string[] = [];
    for (let start = 0; start < variations.length; start += WOO_FACTS.batchLimit) {
      const chunk = variations.slice(start, start + WOO_FACTS.batchLimit);
      const create = chunk.filter((v) => !existing.has(String(v.sku)));
      const update: Row[] = chunk
        .filter((v) => existing.has(String(v.sku)))
        .map((v) => ({ ...v, id: existing.get(String(v.sku)) }));
      const result = await this.batch(`products/${productId}/variations`, { create, update });
      [
        ...(result.create ?? []).map((r, i) => [create[i], r] as const),
        ...(result.update ?? []).map((r, i) => [update[i], r] as const),
      ].forEach(([sent, response]) => {
        if (response.error) errors.push(`variant ${sent.sku}: ${describe(response.error)}`);
        else variants[String(sent.sku)] = String(response.id);
      });
    }
    return errors.length > 0 ? { error: errors.join('; ') } : { variants };
  }

  private async upsertOrders(items: LoadItem[]): Promise<LoadOutcome[]> {
    const outcomes = new Map<LoadItem, LoadOutcome>();
    // A recovering order may have been created before the crash: find it by its source id first.
    const recovered = await this.findOrdersBySource(
      items.filter((item) => item.recovering && !item.destinationId),
    );
    const withMeta = (item: LoadItem): Row => ({
      ...item.payload,
      meta_data: [
        ...((item.payload.meta_data as Row[] | undefined) ?? []),
        { key: WOO_FACTS.sourceIdMetaKey, value: item.sourceId },
      ],
    });
    const toUpdate = items.filter((item) => item.destinationId || recovered.has(item.sourceId));
    const toCreate = items.filter((item) => !toUpdate.includes(item));
    if (toCreate.length > 0) {
      const created = await this.batch('orders', { create: toCreate.map(withMeta) });
      (created.create ?? []).forEach((result, index) => {
        const item = toCreate[index];
        outcomes.set(
          item,
          result.error
            ? { sourceId: item.sourceId, action: 'failed', error: describe(result.error) }
            : { sourceId: item.sourceId, action: 'created', destinationId: String(result.id) },
        );
      });
    }
    if (toUpdate.length > 0) {
      // A placed order's lines and totals stay as they are; status, addresses and notes follow the source.
      const update = toUpdate.map((item) => {
        const update = withMeta(item);
        for (const key of ['line_items', 'shipping_lines', 'fee_lines']) delete update[key];
        return { ...update, id: Number(item.destinationId ?? recovered.get(item.sourceId)) };
      });
      const updated = await this.batch('orders', { update });
      (updated.update ?? []).forEach((result, index) => {
        const item = toUpdate[index];
        const action = item.destinationId ? 'updated' : 'created';
        outcomes.set(
          item,
          result.error
            ? { sourceId: item.sourceId, action: 'failed', error: describe(result.error) }
            : { sourceId: item.sourceId, action, destinationId: String(result.id) },
        );
      });
    }
    return items.map((item) => outcomes.get(item)!);
  }

  /** wc/v3 cannot filter by meta: scan the orders changed since the crashed attempt began. */
  private async findOrdersBySource(items: LoadItem[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (items.length === 0) return found;
    const since = items.map((item) => item.pendingSince ?? '1970-01-01T00:00:00Z').sort()[0];
    const after = new Date(Date.parse(since) - 60_000).toISOString().slice(0, 19);
    const wanted = new Set(items.map((item) => item.sourceId));
    for (let page = 1; ; page++) {
      const response: AxiosResponse<Row[]> = await this.client.request<Row[]>('get', 'orders', {
        params: stringify({
          page,
          per_page: WOO_FACTS.maxPageSize,
          modified_after: after,
          dates_are_gmt: true,
          orderby: 'id',
          order: 'asc',
        }),
      });
      for (const order of response.data) {
        const source = (order.meta_data as Row[]).find((meta) => meta.key === WOO_FACTS.sourceIdMetaKey)
          ?.value as string | undefined;
        if (source && wanted.has(source)) found.set(source, order.id as number);
      }
      if (page >= Number(response.headers['x-wp-totalpages'] ?? 1)) return found;
    }
  }

  private async batch(
    path: string,
    body: { create?: Row[]; update?: Row[]; delete?: number[] },
  ): Promise<Record<'create' | 'update' | 'delete', BatchItem[] | undefined>> {
    const response = await this.client.request<
      Record<'create' | 'update' | 'delete', BatchItem[] | undefined>
    >('post', `${path}/batch`, { data: body });
    return response.data;
  }

  private kind(entity: EntityName): Kind {
    if (!(entity in ENTITIES))
      throw new SwitchyardError('PLAN_INVALID', `woocommerce cannot handle ${entity}`);
    return entity as Kind;
  }
}

/** The client's query type is string → string. */
function stringify(params: Row): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}
