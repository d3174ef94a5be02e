import type { Row } from './shopify.store';

export type Searchable = 'customers' | 'products' | 'orders' | 'productVariants';

/** How a field reads a row; a product's `sku` reads its variants. */
export type SearchField = (row: Row, variantsOf: (product: Row) => Row[]) => unknown;

const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);

/** The search fields each list query documents; anything else is ignored, as Shopify does. */
export const SEARCH_FIELDS: Record<Searchable, Record<string, SearchField>> = {
  customers: {
    email: (c) => c.email ?? null,
    id: (c) => c.legacyResourceId,
    tag: (c) => c.tags,
    state: (c) => lower(c.state),
    updated_at: (c) => c.updatedAt,
    created_at: (c) => c.createdAt,
    first_name: (c) => c.firstName,
    last_name: (c) => c.lastName,
    phone: (c) => c.phone,
  },
  products: {
    handle: (p) => p.handle,
    id: (p) => p.legacyResourceId,
    title: (p) => p.title,
    status: (p) => lower(p.status),
    tag: (p) => p.tags,
    vendor: (p) => p.vendor,
    product_type: (p) => p.productType,
    updated_at: (p) => p.updatedAt,
    created_at: (p) => p.createdAt,
    sku: (p, variantsOf) => variantsOf(p).map((v) => v.sku),
  },
  orders: {
    id: (o) => o.legacyResourceId,
    name: (o) => o.name,
    email: (o) => o.email,
    tag: (o) => o.tags,
    updated_at: (o) => o.updatedAt,
    created_at: (o) => o.createdAt,
    processed_at: (o) => o.processedAt,
    financial_status: (o) => lower(o.displayFinancialStatus),
    fulfillment_status: (o) => lower(o.displayFulfillmentStatus),
    customer_id: (o) => (o.customerId === null ? null : String(o.customerId)),
  },
  productVariants: {
    id: (v) => v.legacyResourceId,
    sku: (v) => v.sku,
    barcode: (v) => v.barcode,
    product_id: (v) => String(v.productId),
    updated_at: (v) => v.updatedAt,
  },
};

/**
 * The fields looked up by exact value (a record's email, source tag, handle, sku, owner), which the store
 * indexes so that a lookup costs what it finds, not the size of the store. A field that reads other rows
 * (a product's sku) cannot be indexed: the index would miss a change to those rows.
 */
export const INDEXED_FIELDS: Record<Searchable, string[]> = {
  customers: ['id', 'email', 'tag', 'phone'],
  products: ['id', 'handle', 'tag'],
  orders: ['id', 'name', 'email', 'tag', 'customer_id'],
  productVariants: ['id', 'sku', 'barcode', 'product_id'],
};

/** A field's reader, or undefined for a field the query does not document (own keys only). */
export function searchField(kind: Searchable, field: string): SearchField | undefined {
  const fields = SEARCH_FIELDS[kind];
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
}
