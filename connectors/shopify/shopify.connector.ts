import Bottleneck from 'bottleneck';
import pLimit from 'p-limit';
import {
  type Connector,
  type ConnectorOptions,
  type EntityDescriptor,
  type EntityName,
  errorMessage,
  isOutcomeUnknown,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type PlatformInfo,
  type ReadOptions,
  type ReadPage,
  type RecordRefs,
  scalarText,
  SwitchyardError,
  type WrittenPart,
} from '../../src/connectors';
import { BULK_CURSOR, BulkExports, bulkPages } from './bulk-read';
import { estimateQueryCost } from './query-cost-estimate';
import { ShopifyGraphqlClient, SHOPIFY_FACTS } from './shopify.client';
import {
  failedFiles,
  filesToSend,
  inProgress,
  MEDIA_WAITS_MS,
  type MediaState,
  withoutFailed,
} from './shopify.media';
import { withPhoneInNote, withShopifyPhones } from './shopify.phones';
import * as Q from './shopify.queries';
import { shopifyWriteShape } from './shopify.write-shape';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Row = Record<string, any>;
interface Connection {
  nodes: Row[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface UserError {
  field?: string[] | null;
  message: string;
}

/**
 * Per entity: how many records one read asks for, chosen to stay under the 1000-point query cap, the
 * text lengths Shopify refuses above ("is too long (maximum is 255 characters)"), and the 250 items an input
 * array may hold (MAX_INPUT_SIZE_EXCEEDED).
 */
const ENTITIES: Record<'customers' | 'products' | 'orders', EntityDescriptor> = {
  customers: {
    idField: 'id',
    naturalKey: 'email',
    modifiedAtField: 'updatedAt',
    batchLimit: 50,
    maxPageSize: 250,
    fieldLimits: { email: 255, firstName: 255, lastName: 255, 'tags[]': 255 },
    listLimit: SHOPIFY_FACTS.maxInputArray,
    // "Email has already been taken": one customer per email.
    uniqueKeys: ['email'],
  },
  products: {
    idField: 'id',
    naturalKey: 'handle',
    modifiedAtField: 'updatedAt',
    batchLimit: 50,
    maxPageSize: 25,
    fieldLimits: {
      title: 255,
      handle: 255,
      vendor: 255,
      productType: 255,
      'tags[]': 255,
      'variants[].sku': 255,
      'variants[].barcode': 255,
    },
    listLimit: SHOPIFY_FACTS.maxInputArray,
  },
  orders: {
    idField: 'id',
    naturalKey: 'sourceIdentifier',
    modifiedAtField: 'updatedAt',
    batchLimit: 50,
    maxPageSize: 10,
    fieldLimits: { 'tags[]': 255, 'lineItems[].title': 255, 'lineItems[].sku': 255 },
    listLimit: SHOPIFY_FACTS.maxInputArray,
  },
};

const LIST_QUERIES = {
  customers: Q.CUSTOMERS_QUERY,
  products: Q.PRODUCTS_QUERY,
  orders: Q.ORDERS_QUERY,
} as const;
const LIST_FIELDS = { customers: 'customers', products: 'products', orders: 'orders' } as const;

/** Search values are quoted; a quote or backslash inside is escaped. */
const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** How far before a lost write the scan of recent records reaches: the shop's clock may differ from ours. */
const CLOCK_SKEW_MS = 15 * 60_000;

/** The tag an order created by Switchyard carries: how a retry finds it instead of creating it twice. */
export function sourceTag(sourceId: string): string {
  return SHOPIFY_FACTS.sourceTagPrefix + sourceId.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

/**
 * Shopify through the Admin GraphQL API. Reads page with cursors; products' variants and orders'
 * extra line items are read in follow-up queries. Writes match customers and orders by a source tag
 * (customers then by email, never one another source record holds), products by handle (and variants by
 * SKU), so a retried or resumed load never doubles one.
 */
export class ShopifyConnector implements Connector {
  readonly platform = 'shopify';
  readonly entities = ENTITIES;
  private readonly client: ShopifyGraphqlClient;
  private readonly limit: ReturnType<typeof pLimit>;
  private locationId: string | null = null;
  /** Set by check() on a development or trial shop: order creates paced under its 5 a minute. */
  private orderPace: Bottleneck | null = null;
  private readonly exports: BulkExports;
  /**
   * prepareReads' decision for each entity (in bulk or not; its export queued when in bulk), made in the order
   * given and taken by the entity's read from the same cursor, so bulk is decided (and counted) once.
   */
  private readonly planned = new Map<
    string,
    { cursor: string | null; inBulk: Promise<boolean | undefined> }
  >();
  private lastPlanned: Promise<unknown> = Promise.resolve();

  constructor(
    url: string,
    accessToken: string,
    private readonly options: ConnectorOptions,
  ) {
    if (!accessToken) throw new SwitchyardError('PLAN_INVALID', 'shopify needs credentials.accessToken');
    this.client = new ShopifyGraphqlClient(url, accessToken, options.limiter);
    this.limit = pLimit(options.concurrency);
    this.exports = new BulkExports(this.client);
  }

  /**
   * The metafields the mappings in use read (`metafields.<namespace>.<key>`): each is asked for by alias in
   * the list query and handed to the mapping as `metafields: { <namespace>: { <key>: value } }`.
   */
  private metafields(kind: keyof typeof ENTITIES): { alias: string; namespace: string; key: string }[] {
    const wanted = new Map<string, { namespace: string; key: string }>();
    for (const path of this.options.reads?.[kind] ?? []) {
      const [root, namespace, key] = path.split('.');
      if (root !== 'metafields' || !namespace || !key) continue;
      if (!/^[A-Za-z0-9_-]+$/.test(namespace) || !/^[A-Za-z0-9_-]+$/.test(key))
        throw new SwitchyardError(
          'MAPPING_INVALID',
          `the mapping reads ${path}: a Shopify metafield's namespace and key are letters, digits, - and _`,
        );
      wanted.set(`${namespace}.${key}`, { namespace, key });
    }
    return [...wanted.values()].map((field, index) => ({ alias: `switchyardMetafield${index}`, ...field }));
  }

  /** The metafields the mappings read, as fields a query selects on each node. */
  private metafieldSelection(kind: keyof typeof ENTITIES): string {
    return this.metafields(kind)
      .map(
        ({ alias, namespace, key }) =>
          `${alias}: metafield(namespace: "${namespace}", key: "${key}") { value }`,
      )
      .join(' ');
  }

  private listQuery(kind: keyof typeof ENTITIES): string {
    const fields = this.metafieldSelection(kind);
    return fields ? LIST_QUERIES[kind].replace('nodes {', `nodes { ${fields}`) : LIST_QUERIES[kind];
  }

  /** Folds the aliased metafields of a node into `metafields`, as the mappings read them. */
  private withMetafields(kind: keyof typeof ENTITIES, nodes: Row[], fields = this.metafields(kind)): Row[] {
    if (fields.length === 0) return nodes;
    return nodes.map((node) => {
      const metafields: Record<string, Record<string, unknown>> = {};
      const rest = { ...node };
      for (const { alias, namespace, key } of fields) {
        const value = (node[alias] as { value?: unknown } | null)?.value;
        delete rest[alias];
        if (value !== undefined) (metafields[namespace] ??= {})[key] = value;
      }
      return { ...rest, metafields };
    });
  }

  get stats() {
    return this.client.stats;
  }

  async check(): Promise<PlatformInfo> {
    const data = await this.client.request<{
      shop: {
        name: string;
        currencyCode: string;
        plan: { displayName: string; partnerDevelopment: boolean };
      };
      locations: Connection;
    }>(Q.SHOP_QUERY, {}, 1);
    this.locationId = data.locations.nodes[0]?.id ?? null;
    const notices: string[] = [];
    const served = this.client.servedVersion();
    if (served && served !== SHOPIFY_FACTS.apiVersion)
      notices.push(
        `the shop answered with Admin API ${served}, not ${SHOPIFY_FACTS.apiVersion} (Shopify serves a retired version as its oldest supported one); Switchyard's queries are checked against ${SHOPIFY_FACTS.apiVersion}: dry-run and reconcile before cutover`,
      );
    // Development and trial shops create at most 5 orders a minute: orders are paced under that.
    const { plan } = data.shop;
    if (plan.partnerDevelopment || /trial|develop/i.test(plan.displayName)) {
      this.orderPace = new Bottleneck({ maxConcurrent: 1, minTime: SHOPIFY_FACTS.developmentOrderSpacingMs });
      notices.push(
        `this is a ${plan.displayName} shop: Shopify creates at most 5 orders a minute on it, so orders are created one every ${SHOPIFY_FACTS.developmentOrderSpacingMs / 1000} s`,
      );
    }
    return {
      currency: data.shop.currencyCode,
      name: data.shop.name,
      context: { locationId: this.locationId },
      ...(notices.length > 0 ? { notices } : {}),
    };
  }

  /** A record as read, in the shape upsert writes: see shopifyWriteShape. */
  writeShape(entity: EntityName, record: NativeRecord): NativeRecord {
    return shopifyWriteShape(this.kind(entity), record);
  }

  idOf(_entity: EntityName, record: NativeRecord): string {
    return String(record.id);
  }

  /** A product's variants by SKU, as productSet reports them. */
  refsOf(entity: EntityName, record: NativeRecord): RecordRefs | undefined {
    if (entity !== 'products') return undefined;
    return {
      variants: Object.fromEntries(
        ((record.variants as Row[] | undefined) ?? []).map((v) => [v.sku as string, v.id as string]),
      ),
    };
  }

  /** Queues the bulk export of each read that will be one, in the order given: see BulkExports. */
  prepareReads(reads: { entity: EntityName; options: ReadOptions }[]): void {
    for (const { entity, options } of reads) {
      const kind = this.kind(entity);
      const inBulk = this.lastPlanned
        .then(async () => {
          const bulk = await this.readsInBulk(kind, options);
          if (bulk) this.exports.queue(this.bulkQuery(kind), options.preparedSince);
          return bulk;
        })
        // A count that fails here only means nothing was decided: the read decides again.
        .catch(() => undefined);
      this.lastPlanned = inBulk;
      this.planned.set(kind, { cursor: options.cursor, inBulk });
    }
  }

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    const kind = this.kind(entity);
    const planned = this.planned.get(kind);
    this.planned.delete(kind);
    const decided = planned?.cursor === options.cursor ? await planned.inBulk : undefined;
    if (decided ?? (await this.readsInBulk(kind, options))) {
      yield* this.bulkRead(kind, options);
      return;
    }
    const first = Math.min(options.pageSize, ENTITIES[kind].maxPageSize);
    const query = options.modifiedSince ? `updated_at:>${quote(options.modifiedSince)}` : null;
    let after = options.cursor;
    for (;;) {
      const data = await this.client.request<Record<string, Connection>>(this.listQuery(kind), {
        first,
        after,
        query,
      });
      const page = data[LIST_FIELDS[kind]];
      const records = await this.complete(kind, this.withMetafields(kind, page.nodes));
      const nextCursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      yield { records, nextCursor };
      if (!nextCursor) return;
      after = nextCursor;
    }
  }

  async fetch(entity: EntityName, ids: string[]): Promise<NativeRecord[]> {
    const kind = this.kind(entity);
    const found: Row[] = [];
    for (let start = 0; start < ids.length; start += 10) {
      const data = await this.client.request<{ nodes: (Row | null)[] }>(Q.NODES_QUERY, {
        ids: ids.slice(start, start + 10),
      });
      found.push(...data.nodes.filter((node): node is Row => node !== null));
    }
    return this.complete(kind, found);
  }

  async count(entity: EntityName): Promise<number | null> {
    const data = await this.client.request<{ count: { count: number } | null }>(
      Q.COUNT_QUERIES[this.kind(entity)],
    );
    return data.count?.count ?? null;
  }

  async delete(entity: EntityName, ids: string[]): Promise<void> {
    const mutation = Q.DELETE_MUTATIONS[this.kind(entity)];
    // Every delete is answered before this says anything: none is still in flight when it throws.
    const settled = await Promise.allSettled(
      ids.map((id) =>
        this.limit(async () => {
          const data = await this.client.request<{ result: { userErrors: UserError[] } }>(mutation, { id });
          const errors = data.result.userErrors;
          if (errors.length > 0)
            throw new SwitchyardError('PLATFORM_REJECTED', `cannot delete ${id}: ${describe(errors)}`);
        }),
      ),
    );
    const failed = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw failed[0].reason;
  }

  async upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    const outcomes: LoadOutcome[] = [];
    for (let start = 0; start < items.length; start += ENTITIES[kind].batchLimit) {
      const chunk = items.slice(start, start + ENTITIES[kind].batchLimit);
      outcomes.push(...(await this.upsertChunk(kind, chunk)));
    }
    return outcomes;
  }

  // ---- reads -----------------------------------------------------------------------------------

  /**
   * A bulk export where paging would cost more than one full bucket (1,000 points, 20 s of a standard shop's
   * budget): the count times what one record's share of a page is asked for. A plan's `bulkReadFrom` is a
   * record count instead. A delta read pages: what changed is usually a few pages. Reads go on as they began.
   */
  private async readsInBulk(kind: keyof typeof ENTITIES, options: ReadOptions): Promise<boolean> {
    if (options.cursor) return options.cursor === BULK_CURSOR;
    if (options.modifiedSince) return false;
    if (this.options.bulkReadFrom === 0) return true;
    const count = (await this.count(kind)) ?? 0;
    if (this.options.bulkReadFrom !== undefined) return count >= this.options.bulkReadFrom;
    const first = ENTITIES[kind].maxPageSize;
    const perPage =
      estimateQueryCost(this.listQuery(kind), { first }) +
      (kind === 'products' ? estimateQueryCost(Q.VARIANTS_QUERY, { first: SHOPIFY_FACTS.maxPageSize }) : 0);
    return count * (perPage / first) > SHOPIFY_FACTS.bucketSize;
  }

  private bulkQuery(kind: keyof typeof ENTITIES): string {
    return Q.bulkQuery(kind, this.metafieldSelection(kind), null);
  }

  private async *bulkRead(kind: keyof typeof ENTITIES, options: ReadOptions): AsyncIterable<ReadPage> {
    const wanted = this.metafields(kind);
    const assemble = (parent: Row, children: Row[]): Row => {
      const [node] = this.withMetafields(kind, [parent], wanted);
      const own = (typename: string) =>
        children.filter((child) => child.__typename === typename).map(({ __typename, ...rest }) => rest);
      if (kind === 'products')
        return {
          ...node,
          media: children
            .filter((child) => child.__typename !== 'ProductVariant')
            .map(({ __typename, ...rest }) => rest),
          variants: own('ProductVariant').sort((a, b) => a.position - b.position),
        };
      if (kind === 'orders')
        return { ...node, lineItems: own('LineItem'), shippingLines: own('ShippingLine') };
      return node;
    };
    const operation = await this.exports.take(this.bulkQuery(kind), options.preparedSince);
    yield* bulkPages(operation, options.pageSize, assemble);
  }

  /** Adds what the list query leaves out: all variants of products, all line items of orders. */
  private async complete(kind: keyof typeof ENTITIES, nodes: Row[]): Promise<Row[]> {
    if (kind === 'products') return this.withVariants(nodes);
    if (kind === 'orders') return Promise.all(nodes.map((order) => this.withAllLines(order)));
    return nodes.map((node) => ({ ...node }));
  }

  private async withVariants(products: Row[]): Promise<Row[]> {
    if (products.length === 0) return [];
    const byProduct = new Map<string, Row[]>(products.map((product) => [product.id as string, []]));
    const query = products.map((product) => `product_id:${product.legacyResourceId}`).join(' OR ');
    let after: string | null = null;
    do {
      const data: { productVariants: Connection } = await this.client.request(Q.VARIANTS_QUERY, {
        first: 250,
        after,
        query,
      });
      for (const variant of data.productVariants.nodes) byProduct.get(variant.product.id)?.push(variant);
      after = data.productVariants.pageInfo.hasNextPage ? data.productVariants.pageInfo.endCursor : null;
    } while (after);
    return products.map((product) => ({
      ...product,
      media: (product.media as Connection | undefined)?.nodes ?? [],
      variants: (byProduct.get(product.id) ?? []).sort((a, b) => a.position - b.position),
    }));
  }

  private async withAllLines(order: Row): Promise<Row> {
    const lines: Row[] = [...(order.lineItems as Connection).nodes];
    let pageInfo = (order.lineItems as Connection).pageInfo;
    while (pageInfo.hasNextPage) {
      const data: { order: { lineItems: Connection } } = await this.client.request(Q.ORDER_LINES_QUERY, {
        id: order.id,
        after: pageInfo.endCursor,
      });
      lines.push(...data.order.lineItems.nodes);
      pageInfo = data.order.lineItems.pageInfo;
    }
    return {
      ...order,
      lineItems: lines,
      shippingLines: (order.shippingLines as Connection | undefined)?.nodes ?? [],
    };
  }

  // ---- writes ----------------------------------------------------------------------------------

  private async upsertChunk(kind: keyof typeof ENTITIES, items: LoadItem[]): Promise<LoadOutcome[]> {
    switch (kind) {
      case 'customers':
        return this.upsertCustomers(items);
      case 'products':
        return this.upsertProducts(items);
      case 'orders':
        return this.upsertOrders(items);
    }
  }

  private async upsertCustomers(items: LoadItem[]): Promise<LoadOutcome[]> {
    const existing = await this.customerIds(items);
    return Promise.all(
      items.map((item) =>
        this.limit(async (): Promise<LoadOutcome> => {
          const match = existing.get(item);
          if (match?.heldBy)
            return {
              sourceId: item.sourceId,
              action: 'failed',
              error: `Shopify customer ${match.id} already holds the email "${scalarText(item.payload.email)}" for source record ${match.heldBy}: the source holds it twice; merge the two (cleaning: merge on email) or give one another email`,
            };
          const id = match?.id;
          const mutation = id ? Q.CUSTOMER_UPDATE : Q.CUSTOMER_CREATE;
          // The source tag is the customer's source identity: kept on every write (tags are replaced).
          const tags = [
            ...new Set([...((item.payload.tags as string[] | undefined) ?? []), sourceTag(item.sourceId)]),
          ];
          const { payload, warnings } = withShopifyPhones('customers', item.payload);
          const send = async (input: Row) => {
            const data = await this.client.request<
              Record<string, { customer: Row | null; userErrors: UserError[] }>
            >(mutation, { input: id ? { ...input, tags, id } : { ...input, tags } });
            return mutationResult(data, id ? 'customerUpdate' : 'customerCreate');
          };
          return this.write(item, async (intent) => {
            intent.attempted = id ? 'update' : 'create';
            let result = await send(payload);
            // A shop keeps each phone to one customer: a second customer with it keeps it in the note.
            if (result.userErrors.some(phoneTaken)) {
              const moved = withPhoneInNote(payload);
              warnings.push(moved.warning);
              result = await send(moved.payload);
            }
            if (result.userErrors.length > 0 || !result.customer) return failed(item, result.userErrors);
            return {
              sourceId: item.sourceId,
              action: id ? 'updated' : 'created',
              destinationId: result.customer.id,
              ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}),
            };
          });
        }),
      ),
    );
  }

  /**
   * Each customer's record in the shop: the ledger's id, else the customer tagged with its source id, else
   * the customer with its email, unless that one carries another record's source tag (`heldBy`): Shopify
   * keeps one customer per email, and adopting it would fold two source records into one.
   */
  private async customerIds(items: LoadItem[]): Promise<Map<LoadItem, { id: string; heldBy?: string }>> {
    const unknown = items.filter((item) => !item.destinationId);
    const bySource = await this.lookup(
      Q.CUSTOMER_IDS_QUERY,
      'customers',
      unknown.map((item) => `tag:${quote(sourceTag(item.sourceId))}`),
      sourceTagOf,
    );
    await this.addRecentlyWritten('customers', unknown, bySource, (item) => sourceTag(item.sourceId));
    const email = (item: LoadItem) => scalarText(item.payload.email).toLowerCase();
    const byEmail = new Map<string, Row>();
    const emails = unknown
      .filter((item) => !bySource.has(sourceTag(item.sourceId)))
      .map(email)
      .filter((key) => key !== '');
    for (let start = 0; start < emails.length; start += 50) {
      const data = await this.client.request<{ customers: { nodes: Row[] } }>(Q.CUSTOMER_IDS_QUERY, {
        first: 250,
        query: emails
          .slice(start, start + 50)
          .map((key) => `email:${quote(key)}`)
          .join(' OR '),
      });
      for (const node of data.customers.nodes) byEmail.set(scalarText(node.email).toLowerCase(), node);
    }
    const result = new Map<LoadItem, { id: string; heldBy?: string }>();
    for (const item of items) {
      const tagged = item.destinationId ?? bySource.get(sourceTag(item.sourceId));
      if (tagged) {
        result.set(item, { id: tagged });
        continue;
      }
      const node = byEmail.get(email(item));
      if (!node) continue;
      const holder = ((node.tags as string[]) ?? []).find((tag) =>
        tag.startsWith(SHOPIFY_FACTS.sourceTagPrefix),
      );
      result.set(
        item,
        holder && holder !== sourceTag(item.sourceId)
          ? { id: node.id, heldBy: holder.slice(SHOPIFY_FACTS.sourceTagPrefix.length) }
          : { id: node.id },
      );
    }
    return result;
  }

  private async upsertProducts(items: LoadItem[]): Promise<LoadOutcome[]> {
    const existing = await this.existingIds('products', items);
    return Promise.all(
      items.map((item) =>
        this.limit(async (): Promise<LoadOutcome> =>
          this.write(item, async (intent) => {
            let id = existing.get(item);
            // Send the ids of variants that exist, matched by SKU, so productSet updates them in place, and
            // of files it holds, matched by file name, so Shopify does not download them again.
            const sending = Array.isArray(item.payload.files) ? item.payload.files.length : 0;
            const current = id ? await this.productCurrent(id, sending) : null;
            if (id && !current) id = undefined; // deleted in the destination since: create it again
            intent.attempted = id ? 'update' : 'create';
            const variants = ((item.payload.variants as Row[] | undefined) ?? []).map((variant) => {
              const variantId = current?.variants.get(String(variant.sku));
              return {
                ...variant,
                ...(variantId ? { id: variantId } : {}),
                ...(variant.inventoryQuantities === undefined || !this.locationId
                  ? {}
                  : {
                      inventoryQuantities: (variant.inventoryQuantities as Row[]).map((q) => ({
                        ...q,
                        locationId: this.locationId,
                      })),
                    }),
              };
            });
            const files = Array.isArray(item.payload.files)
              ? filesToSend(item.payload.files as Row[], current?.media ?? [])
              : null;
            const input = {
              ...item.payload,
              variants,
              ...(files ? { files: files.files } : {}),
              ...(id ? { id } : {}),
            };
            const data = await this.client.request<{
              productSet: { product: Row | null; userErrors: UserError[] };
            }>(Q.PRODUCT_SET, { input });
            const result = mutationResult(data, 'productSet');
            if (result.userErrors.length > 0 || !result.product) return failed(item, result.userErrors);
            const images = files
              ? await this.settleMedia(result.product, files, input.files as Row[], id !== undefined)
              : {};
            if ('refused' in images)
              return { sourceId: item.sourceId, action: 'failed', error: images.refused };
            const written = (result.product.variants as Connection).nodes;
            const refs = {
              variants: Object.fromEntries(written.map((v) => [v.sku as string, v.id as string])),
            };
            const had = new Set(current?.variants.values() ?? []);
            // Variants productSet dropped (the source no longer has them) are deleted with it.
            const kept = new Set(written.map((v) => v.id as string));
            const parts: WrittenPart[] = [
              ...written.map((v): WrittenPart => ({
                part: 'variant',
                object: 'ProductVariant',
                destinationId: v.id as string,
                action: had.has(v.id as string) ? 'updated' : 'created',
              })),
              ...[...had]
                .filter((variantId) => !kept.has(variantId))
                .map((variantId): WrittenPart => ({
                  part: 'variant',
                  object: 'ProductVariant',
                  destinationId: variantId,
                  action: 'deleted',
                })),
            ];
            return {
              sourceId: item.sourceId,
              action: id ? 'updated' : 'created',
              destinationId: result.product.id,
              refs,
              parts,
              ...('warning' in images ? { warning: images.warning } : {}),
            };
          }),
        ),
      ),
    );
  }

  private async upsertOrders(items: LoadItem[]): Promise<LoadOutcome[]> {
    const existing = await this.existingIds('orders', items);
    return Promise.all(
      items.map((item) =>
        this.limit(async (): Promise<LoadOutcome> => {
          const id = existing.get(item);
          // Shopify cannot edit a placed order's lines or totals; an order already there is left as it is.
          if (id)
            return this.write(item, async (intent) => {
              intent.attempted = 'update';
              const refused = item.payload.cancelled ? await this.cancelOrder(id, true) : null;
              if (refused) return failed(item, refused);
              return { sourceId: item.sourceId, action: 'updated', destinationId: id };
            });
          const phones = withShopifyPhones('orders', item.payload);
          const { cancelled, ...payload } = phones.payload;
          const warning = phones.warnings.length > 0 ? { warning: phones.warnings.join('; ') } : {};
          return this.write(item, async () => {
            const order = {
              ...payload,
              sourceIdentifier: item.sourceId,
              tags: [...((payload.tags as string[] | undefined) ?? []), sourceTag(item.sourceId)],
            };
            const create = () =>
              this.client.request<{ orderCreate: { order: Row | null; userErrors: UserError[] } }>(
                Q.ORDER_CREATE,
                { order },
              );
            const data = await (this.orderPace ? this.orderPace.schedule(create) : create());
            const result = mutationResult(data, 'orderCreate');
            if (result.userErrors.length > 0 || !result.order) return failed(item, result.userErrors);
            const refused = cancelled ? await this.cancelOrder(result.order.id as string, false) : null;
            if (refused) return failed(item, refused);
            const lines = ((result.order.lineItems as Connection | undefined)?.nodes ?? []).map(
              (line): WrittenPart => ({
                part: 'line',
                object: 'LineItem',
                destinationId: line.id as string,
                action: 'created',
              }),
            );
            return {
              sourceId: item.sourceId,
              action: 'created',
              destinationId: result.order.id,
              parts: lines,
              ...warning,
            };
          });
        }),
      ),
    );
  }

  /**
   * orderCreate cannot make a cancelled order: a cancelled source order is created, then cancelled (no
   * refund, no restock, no email). An order that exists is cancelled only if it is not yet (`check`).
   * Returns Shopify's refusal, or null.
   */
  private async cancelOrder(orderId: string, check: boolean): Promise<UserError[] | null> {
    if (check) {
      const data = await this.client.request<{ node: { cancelledAt?: string | null } | null }>(
        Q.ORDER_CANCELLED_QUERY,
        { id: orderId },
      );
      if (data.node?.cancelledAt) return null;
    }
    const data = await this.client.request<{ orderCancel: { orderCancelUserErrors: UserError[] } }>(
      Q.ORDER_CANCEL,
      { orderId },
    );
    const errors = mutationResult(data, 'orderCancel', 'orderCancelUserErrors').orderCancelUserErrors;
    return errors.length > 0 ? errors : null;
  }

  /**
   * Each item's record in the shop, if it has one: the ledger's id, else a match on the natural key
   * (products by handle) or, for orders, on the source tag.
   */
  private async existingIds(
    kind: 'products' | 'orders',
    items: LoadItem[],
  ): Promise<Map<LoadItem, string | undefined>> {
    const unknown = items.filter((item) => !item.destinationId);
    const keyOf = {
      products: (item: LoadItem) => scalarText(item.payload.handle),
      orders: (item: LoadItem) => sourceTag(item.sourceId),
    }[kind];
    const searches = {
      products: {
        query: Q.PRODUCT_IDS_QUERY,
        term: (key: string) => `handle:${quote(key)}`,
        found: (node: Row) => scalarText(node.handle),
      },
      // Orders have no natural key in Shopify: each carries a tag with its source id.
      orders: {
        query: Q.ORDER_IDS_QUERY,
        term: (key: string) => `tag:${quote(key)}`,
        found: sourceTagOf,
      },
    }[kind];
    const keys = unknown.map(keyOf).filter((key) => key !== '');
    const found = await this.lookup(searches.query, kind, keys.map(searches.term), searches.found);
    await this.addRecentlyWritten(kind, unknown, found, keyOf);
    return new Map(items.map((item) => [item, item.destinationId ?? found.get(keyOf(item))]));
  }

  async preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = this.kind(entity);
    if (kind === 'customers') {
      const matches = await this.customerIds(items);
      return items.map((item): LoadOutcome => {
        const match = matches.get(item);
        if (match?.heldBy)
          return {
            sourceId: item.sourceId,
            action: 'failed',
            error: `Shopify customer ${match.id} already holds this email for source record ${match.heldBy}`,
          };
        return {
          sourceId: item.sourceId,
          action: match ? 'updated' : 'created',
          destinationId: match?.id ?? '',
        };
      });
    }
    const existing = await this.existingIds(kind, items);
    return items.map((item) => {
      const id = existing.get(item);
      return { sourceId: item.sourceId, action: id ? 'updated' : 'created', destinationId: id ?? '' };
    });
  }

  /** One search for a whole batch (`a OR b OR …`), returning key → id. */
  private async lookup(
    query: string,
    field: string,
    terms: string[],
    keyOf: (node: Row) => string,
  ): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let start = 0; start < terms.length; start += 50) {
      const slice = terms.slice(start, start + 50);
      // Shopify's search may match more than a term names (it tokenizes): every page is read, and each
      // record counts only under its own key.
      let after: string | null = null;
      do {
        const data: Record<string, Connection> = await this.client.request(query, {
          first: 250,
          query: slice.join(' OR '),
          after,
        });
        for (const node of data[field].nodes) found.set(keyOf(node), node.id);
        after = data[field].pageInfo.hasNextPage ? data[field].pageInfo.endCursor : null;
      } while (after);
    }
    return found;
  }

  /**
   * Adds the records a lost write may have saved that search did not find: Shopify's search lags behind
   * its writes, so these are looked for among the shop's most recently written records, read newest first
   * without a query (as the shop is now), back to shortly before the earliest such write.
   */
  private async addRecentlyWritten(
    kind: keyof typeof ENTITIES,
    items: LoadItem[],
    found: Map<string, string>,
    keyOf: (item: LoadItem) => string,
  ): Promise<void> {
    const missing = new Set(
      items.filter((item) => item.maybeWrittenSince && !found.has(keyOf(item))).map(keyOf),
    );
    missing.delete('');
    if (missing.size === 0) return;
    const since = Math.min(
      ...items.filter((item) => item.maybeWrittenSince).map((item) => Date.parse(item.maybeWrittenSince!)),
    );
    const nodeKey = kind === 'products' ? (node: Row) => scalarText(node.handle) : sourceTagOf;
    let after: string | null = null;
    for (;;) {
      const data: { page: Connection } = await this.client.request(Q.RECENT_QUERIES[kind], { after });
      for (const node of data.page.nodes) {
        const key = nodeKey(node);
        if (missing.delete(key)) found.set(key, node.id as string);
      }
      const oldest = data.page.nodes.at(-1)?.updatedAt as string | undefined;
      if (missing.size === 0 || !data.page.pageInfo.hasNextPage) return;
      if (oldest && Date.parse(oldest) < since - CLOCK_SKEW_MS) return;
      after = data.page.pageInfo.endCursor;
    }
  }

  /** An existing product's variants by SKU and its media; null when it is gone. */
  private async productCurrent(
    productId: string,
    files: number,
  ): Promise<{ variants: Map<string, string>; media: MediaState[] } | null> {
    const data = await this.client.request<{ product: { variants: Connection; media: Connection } | null }>(
      Q.PRODUCT_CURRENT_QUERY,
      { id: productId, media: Math.min(SHOPIFY_FACTS.maxPageSize, files + 10) },
    );
    if (!data.product) return null;
    return {
      variants: new Map(
        data.product.variants.nodes.map((variant) => [String(variant.sku), variant.id as string]),
      ),
      media: data.product.media.nodes as MediaState[],
    };
  }

  /**
   * Shopify downloads a product's new files after productSet answers: watch them until each is READY or
   * FAILED (about a minute at most). Files it could not fetch are taken off the product again and named in a
   * warning, or, with `unreachableImages: quarantine`, a product this write created is deleted again and
   * held back with the reason (an existing product is never deleted for its images: it keeps the rest).
   */
  private async settleMedia(
    product: Row,
    files: { sources: string[] },
    sent: Row[],
    existed: boolean,
  ): Promise<{ warning: string } | { refused: string } | Record<string, never>> {
    let media = (product.media as Connection).nodes as MediaState[];
    for (const wait of MEDIA_WAITS_MS) {
      if (!inProgress(media)) break;
      await sleep(wait);
      const data = await this.client.request<{ product: { media: Connection } | null }>(
        Q.PRODUCT_MEDIA_QUERY,
        { id: product.id, first: Math.max(1, sent.length) },
      );
      media = (data.product?.media.nodes ?? []) as MediaState[];
    }
    const failures = failedFiles(files.sources, media);
    if (failures.length === 0)
      return inProgress(media)
        ? {
            warning: 'images: Shopify was still processing some after a minute: reconcile once they are done',
          }
        : {};
    const named = failures.map((failure) => `${failure.source} (${failure.reason})`).join(', ');
    if (!existed && this.options.unreachableImages === 'quarantine') {
      // Straight to the API: this write holds one of the slots `delete` would wait for.
      const data = await this.client.request<{ result: { userErrors: UserError[] } }>(
        Q.DELETE_MUTATIONS.products,
        { id: product.id },
      );
      const errors = data.result.userErrors;
      if (errors.length > 0)
        return {
          refused: `images: Shopify could not fetch ${named}; deleting the product failed: ${describe(errors)}`,
        };
      return { refused: `images: Shopify could not fetch ${named}` };
    }
    // Fields a productSet omits stay as they are: this one only takes the failed files off the product.
    const data = await this.client.request<{ productSet: { userErrors: UserError[] } }>(Q.PRODUCT_SET, {
      input: { id: product.id, files: withoutFailed(media, sent) },
    });
    const errors = mutationResult(data, 'productSet').userErrors;
    if (errors.length > 0)
      return {
        warning: `images: Shopify could not fetch ${named}, and kept them as failed media: ${describe(errors)}`,
      };
    return {
      warning: `images: loaded without ${named}: Shopify could not fetch ${failures.length === 1 ? 'it' : 'them'}`,
    };
  }

  /**
   * A rejected record fails alone with the platform's reason; a mutation without a definitive answer (or
   * with a reply that lacks its result) is `unknown`, looked up before it is tried again; a transport
   * failure of a read after retries stops the run.
   */
  private async write(
    item: LoadItem,
    action: (intent: { attempted: 'create' | 'update' }) => Promise<LoadOutcome>,
  ): Promise<LoadOutcome> {
    // What the mutation was: set by `action` once it knows whether the record exists.
    const intent = { attempted: 'create' as 'create' | 'update' };
    try {
      return await action(intent);
    } catch (error) {
      if (error instanceof SwitchyardError && error.code === 'PLATFORM_REJECTED') {
        return { sourceId: item.sourceId, action: 'failed', error: errorMessage(error) };
      }
      if (isOutcomeUnknown(error))
        return { sourceId: item.sourceId, action: 'unknown', error: errorMessage(error), ...intent };
      throw error;
    }
  }

  private kind(entity: EntityName): keyof typeof ENTITIES {
    if (!(entity in ENTITIES)) throw new SwitchyardError('PLAN_INVALID', `shopify cannot handle ${entity}`);
    return entity as keyof typeof ENTITIES;
  }
}

/** A mutation's payload; a reply without it (cut short, or mangled on the way) leaves the outcome unknown. */
const phoneTaken = (error: UserError) =>
  error.field?.[error.field.length - 1] === 'phone' && /already been taken/.test(error.message);

/** The source tag a customer or order written by Switchyard carries, or ''. */
function sourceTagOf(node: Row): string {
  return ((node.tags as string[]) ?? []).find((tag) => tag.startsWith(SHOPIFY_FACTS.sourceTagPrefix)) ?? '';
}

function mutationResult<T extends object>(
  data: Record<string, T | undefined> | null | undefined,
  field: string,
  errors = 'userErrors',
): T {
  const result = data?.[field];
  if (!result || !Array.isArray((result as Record<string, unknown>)[errors]))
    throw new SwitchyardError('OUTCOME_UNKNOWN', `Shopify's reply to ${field} carried no result`);
  return result;
}

function describe(errors: UserError[]): string {
  return errors.map((error) => `${error.field?.join('.') ?? 'record'}: ${error.message}`).join('; ');
}

function failed(item: LoadItem, errors: UserError[]): LoadOutcome {
  return {
    sourceId: item.sourceId,
    action: 'failed',
    error: `Shopify refused it: ${describe(errors) || 'no reason given'}`,
  };
}
