import {
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLTypeResolver,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import type { BulkContext } from './bulk-operations';
import { paginate, sortRows, type ConnectionArgs } from './connection';
import type { Searchable } from './search-fields';
import { parseSearchQuery } from './search-query';
import { asList, type Row, type ShopifyStore } from './shopify.store';

const legacy = (row: Row) => Number(row.legacyResourceId);

const SORT: Record<string, (row: Row) => string | number> = {
  ID: legacy,
  RELEVANCE: legacy,
  UPDATED_AT: (row) => row.updatedAt,
  CREATED_AT: (row) => row.createdAt,
  PROCESSED_AT: (row) => row.processedAt,
  TITLE: (row) => String(row.title ?? '').toLowerCase(),
  NAME: (row) => `${row.firstName ?? ''} ${row.lastName ?? ''}`.toLowerCase(),
  ORDER_NUMBER: (row) => Number(String(row.name).replace(/\D/g, '')),
  SKU: (row) => String(row.sku ?? ''),
  POSITION: (row) => row.position,
};

type ListArgs = ConnectionArgs & { query?: string | null; sortKey?: string | null };

/** Root query and mutation fields, and relations resolved from ids at query time. */
export function buildRoot(store: ShopifyStore) {
  // A query's rows in order, kept until the store's next write: paging through a store sorts it once.
  const ordered = new Map<string, Row[]>();
  let orderedAt = -1;
  const list = (
    kind: Searchable,
    table: Map<number, Row>,
    given: ListArgs,
    context?: Partial<BulkContext>,
  ) => {
    // A bulk operation reads its top-level connection a chunk at a time.
    const bulk = context?.bulk;
    const args = bulk ? { ...given, first: bulk.first, after: bulk.after, last: null, before: null } : given;
    const sortValue = SORT[args.sortKey ?? 'ID'] ?? legacy;
    if (orderedAt !== store.writes) {
      ordered.clear();
      orderedAt = store.writes;
    }
    const key = JSON.stringify([kind, table.size, args.query ?? '', args.sortKey ?? 'ID', !!args.reverse]);
    // Only a query's later pages reuse its first page's order: a first page always reads the store as it is
    // (a test may change the store's maps directly, which counts no write).
    let rows = args.after || args.before ? ordered.get(key) : undefined;
    if (!rows) {
      const query = parseSearchQuery(args.query);
      const free = (row: Row) =>
        [row.title, row.name, row.email, row.firstName, row.lastName, row.sku].filter(Boolean).join(' ');
      rows = sortRows(store.search(kind, query, free), legacy, sortValue, !!args.reverse);
      if (ordered.size >= 16) ordered.clear();
      ordered.set(key, rows);
    }
    const page = paginate(rows, args, kind, legacy, sortValue, true);
    if (bulk) bulk.page = page;
    return page;
  };
  const count = (kind: Searchable, args: { query?: string | null; limit?: number | null }) => {
    const total = store.search(kind, parseSearchQuery(args.query)).length;
    const limit = args.limit === undefined ? 10000 : args.limit;
    return limit !== null && total > limit
      ? { count: limit, precision: 'AT_LEAST' }
      : { count: total, precision: 'EXACT' };
  };
  const query = {
    shop: () => store.shop,
    customers: (args: ListArgs, context?: BulkContext) => list('customers', store.customers, args, context),
    customer: ({ id }: { id: string }) => store.byGid(id) ?? null,
    customersCount: (args: { query?: string }) => count('customers', args),
    products: (args: ListArgs, context?: BulkContext) => list('products', store.products, args, context),
    product: ({ id }: { id: string }) => store.byGid(id) ?? null,
    productsCount: (args: { query?: string; limit?: number }) => count('products', args),
    productVariants: (args: ListArgs, context?: BulkContext) =>
      list('productVariants', store.variants, args, context),
    orders: (args: ListArgs, context?: BulkContext) => list('orders', store.orders, args, context),
    order: ({ id }: { id: string }) => store.byGid(id) ?? null,
    ordersCount: (args: { query?: string; limit?: number }) => count('orders', args),
    locations: (args: ConnectionArgs) => paginate([store.location], args, 'locations', () => 1),
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => store.byGid(id) ?? null),
    node: ({ id }: { id: string }) => store.byGid(id) ?? null,
  };
  const mutation = {
    customerCreate: ({ input }: { input: Row }) => store.customerWrite(input, false),
    customerUpdate: ({ input }: { input: Row }) => store.customerWrite(input, true),
    customerDelete: ({ input }: { input: { id: string } }) => ({
      ...store.customerDelete(input.id),
      shop: store.shop,
    }),
    productSet: ({ input }: { input: Row }) => ({ ...store.productSet(input), productSetOperation: null }),
    productDelete: ({ input }: { input: { id: string } }) => ({
      ...store.productDelete(input.id),
      productDeleteOperation: null,
      shop: store.shop,
    }),
    orderCreate: ({ order }: { order: Row }) => store.orderCreate(order),
    orderDelete: ({ orderId }: { orderId: string }) => store.orderDelete(orderId),
    orderCancel: ({ orderId }: { orderId: string }) => store.orderCancel(orderId),
  };
  return { query, mutation };
}

type Relation = (source: Row, args: any) => unknown;

/** Inside a bulk operation a nested connection answers all its nodes. */
const inBulk = (args: ConnectionArgs, context: unknown): ConnectionArgs =>
  (context as Partial<BulkContext> | undefined)?.bulk ? { ...args, all: true } : args;

export function relations(store: ShopifyStore): Record<string, Record<string, Relation>> {
  const byIndex = (rows: Row[]) => rows.map((row, index) => ({ ...row, __index: index + 1 }));
  const index = (row: Row) => Number(row.__index);
  // Metafields as the API holds them on customers, products and orders (HasMetafields): `metafield(namespace,
  // key)` finds one (a key "namespace.key" without a namespace too); `metafields` pages them.
  const metafieldsOf = (row: Row): Row[] =>
    asList((row.metafields as { nodes?: unknown } | undefined)?.nodes ?? row.metafields) as Row[];
  const hasMetafields: Record<string, Relation> = {
    metafield: (row, args: { namespace?: string | null; key: string }) => {
      const [namespace, key] = args.namespace
        ? [args.namespace, args.key]
        : [args.key.slice(0, args.key.lastIndexOf('.')), args.key.slice(args.key.lastIndexOf('.') + 1)];
      return metafieldsOf(row).find((m) => m.namespace === namespace && m.key === key) ?? null;
    },
    metafields: (row, args: ConnectionArgs & { namespace?: string | null }) =>
      paginate(
        byIndex(metafieldsOf(row).filter((m) => !args.namespace || m.namespace === args.namespace)),
        args,
        'metafields',
        index,
      ),
  };
  return {
    Customer: {
      ...hasMetafields,
      addresses: (c, args: { first?: number }) => asList(c.addresses).slice(0, args.first ?? undefined),
      addressesV2: (c, args) => paginate(byIndex(asList(c.addresses)), args, 'addressesV2', index),
    },
    Product: {
      ...hasMetafields,
      variants: (p, args) =>
        paginate(
          store.variantsOf(p),
          args,
          'variants',
          legacy,
          SORT[args.sortKey ?? 'POSITION'] ?? SORT.POSITION,
        ),
      options: (p, args: { first?: number }) => asList(p.options).slice(0, args.first ?? undefined),
      media: (p, args) => paginate(byIndex(asList(p.media)), args, 'media', index),
      variantsCount: (p) => ({ count: store.variantsOf(p).length, precision: 'EXACT' }),
    },
    ProductVariant: {
      product: (v) => store.products.get(v.productId) ?? null,
      inventoryItem: (v) => ({
        id: `gid://shopify/InventoryItem/${v.legacyResourceId}`,
        sku: v.sku,
        tracked: true,
        requiresShipping: true,
      }),
    },
    Order: {
      ...hasMetafields,
      customer: (o) => (o.customerId === null ? null : (store.customers.get(o.customerId) ?? null)),
      lineItems: (o, args) => paginate(byIndex(asList(o.lineItems)), args, 'lineItems', index),
      shippingLines: (o, args) => paginate(byIndex(asList(o.shippingLines)), args, 'shippingLines', index),
    },
    LineItem: {
      variant: (line) =>
        line.variantId === null || line.variantId === undefined
          ? null
          : (store.variants.get(line.variantId) ?? null),
      product: (line) => {
        const variant = line.variantId == null ? undefined : store.variants.get(line.variantId);
        return variant ? (store.products.get(variant.productId) ?? null) : null;
      },
    },
  };
}

/** Resolves relations first, then plain properties, then a harmless default for a missing non-null field. */
export function fieldResolver(store: ShopifyStore): GraphQLFieldResolver<any, unknown> {
  const related = relations(store);
  return (source, args, context, info) => {
    const relation = related[info.parentType.name]?.[info.fieldName];
    if (relation) return relation(source, inBulk(args as ConnectionArgs, context));
    const value = source?.[info.fieldName];
    if (typeof value === 'function') return value(args, context, info);
    if (value === undefined) return defaultFor(info.returnType, source);
    return value;
  };
}

function defaultFor(type: GraphQLOutputType, source: Row): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isObjectType(inner)) return {};
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Boolean':
        return false;
      case 'Int':
      case 'Float':
        return 0;
      case 'DateTime':
        return source?.createdAt ?? new Date(0).toISOString();
      case 'Money':
      case 'Decimal':
        return '0.00';
      default:
        return '';
    }
  }
  return null;
}

export const typeResolver: GraphQLTypeResolver<any, unknown> = (value) =>
  value?.__typename ?? /^gid:\/\/shopify\/(\w+)\//.exec(String(value?.id ?? ''))?.[1];
