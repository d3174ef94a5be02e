import Decimal from 'decimal.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { scalarText } from '../../../src/connectors';
import { INDEXED_FIELDS, type Searchable, searchField } from './search-fields';
import { SearchIndex } from './search-index';
import { matchesQuery, type SearchQuery } from './search-query';
import { MediaProcessing } from './media-processing';
import { MEDIA_PROCESSING } from './shopify.contract';

/**
 * The sandbox shop's data, kept in the Admin GraphQL shape. Seeds may hold what today's API would
 * refuse (legacy data); the store serves them as they are. Relations are kept as ids and resolved at
 * query time so that a deleted customer really disappears from its orders.
 */
export type Row = Record<string, any>;

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string;
}

const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A phone Shopify takes: a valid number in international form (MailingAddressInput.phone: "Formatted using
 * E.164 standard", the 2025-01 schema), stored as E.164. Undefined for one it refuses ("Phone is invalid").
 */
function e164(text: unknown): string | undefined {
  const parsed = parsePhoneNumberFromString(String(text));
  return parsed?.isValid() ? parsed.number : undefined;
}

/** "Phone is invalid" for each address (`path`, index) whose phone is given and not E.164. */
function addressPhoneErrors(addresses: unknown, path: string[]): UserError[] {
  const list: unknown[] = Array.isArray(addresses) ? addresses : addresses ? [addresses] : [];
  return list.flatMap((address, index) => {
    const phone = (address as Row | null)?.phone;
    if (phone === null || phone === undefined || phone === '' || e164(phone)) return [];
    const at = Array.isArray(addresses) ? [...path, String(index), 'phone'] : [...path, 'phone'];
    return [{ field: at, message: 'Phone is invalid', code: 'INVALID' }];
  });
}

export class ShopifyStore {
  readonly customers = new Map<number, Row>();
  readonly products = new Map<number, Row>();
  readonly variants = new Map<number, Row>();
  readonly orders = new Map<number, Row>();
  readonly shop: Row = {
    name: 'Switchyard Sandbox',
    currencyCode: 'USD',
    myshopifyDomain: 'sandbox.myshopify.com',
    plan: { displayName: 'Basic', partnerDevelopment: false, shopifyPlus: false },
  };
  readonly location = { id: 'gid://shopify/Location/1', name: 'Shop location', isActive: true };
  /** Product files as they are processed, and every media the shop holds by id (FileSetInput.id). */
  readonly media = new MediaProcessing();
  private readonly mediaById = new Map<string, Row>();
  private nextId = 1000;
  private nextOrderNumber = 1001;
  writes = 0;
  /**
   * How long a write takes to reach the search index: a `query:` search does not find a row written less
   * than this long ago. Lists without a query, `node(s)` and mutations read the shop as it is.
   */
  searchLagMs = 0;
  private readonly writtenAt = new Map<string, number>();
  private readonly tables: Record<Searchable, Map<number, Row>> = {
    customers: this.customers,
    products: this.products,
    orders: this.orders,
    productVariants: this.variants,
  };
  private readonly indexes = {
    customers: this.indexOf('customers'),
    products: this.indexOf('products'),
    orders: this.indexOf('orders'),
    productVariants: this.indexOf('productVariants'),
  };

  seed(data: Record<string, unknown>): void {
    if (typeof data.shop === 'object' && data.shop) Object.assign(this.shop, data.shop);
    for (const raw of asList(data.customers)) this.insertCustomer(raw as Row);
    for (const raw of asList(data.products)) this.insertProduct(raw as Row);
    for (const raw of asList(data.orders)) this.insertOrder(raw as Row);
  }

  // ---- search: what a `query:` argument finds -------------------------------------------------

  private indexOf(kind: Searchable): SearchIndex {
    const read = (field: string) => (row: Row) => searchField(kind, field)!(row, (p) => this.variantsOf(p));
    return new SearchIndex(Object.fromEntries(INDEXED_FIELDS[kind].map((field) => [field, read(field)])));
  }

  /** Stores a row under its id and indexes it; every write of the store goes through here. */
  private keep(kind: Searchable, id: number, row: Row): Row {
    this.tables[kind].set(id, row);
    this.indexes[kind].put(id, row);
    if (this.searchLagMs > 0) this.writtenAt.set(`${kind}/${id}`, Date.now());
    return row;
  }

  /** Points the media a seed names on `from` (cdn.shopify.com) at `to`, where the sandbox serves them. */
  rehostMedia(from: string, to: string): void {
    this.media.cdn = to;
    for (const product of this.products.values())
      for (const media of product.media as Row[])
        if (typeof media.image?.url === 'string' && media.image.url.startsWith(from))
          media.image = { ...media.image, url: to + media.image.url.slice(from.length) };
  }

  /** Written long enough ago for search to find it. */
  private indexed(kind: Searchable, row: Row): boolean {
    const at = this.writtenAt.get(`${kind}/${row.legacyResourceId}`);
    return at === undefined || Date.now() - at >= this.searchLagMs;
  }

  private forget(kind: Searchable, id: number): void {
    this.tables[kind].delete(id);
    this.indexes[kind].drop(id);
  }

  /**
   * The rows a search finds, unordered. An exact term on an indexed field (`tag:x OR tag:y`) narrows the
   * rows tested to those the index holds under its values; any other query tests every row.
   */
  search(kind: Searchable, query: SearchQuery, freeText: (row: Row) => string = () => ''): Row[] {
    const table = this.tables[kind];
    const ids = this.indexes[kind].candidates(query);
    const rows = ids ? [...ids].map((id) => table.get(id)) : [...table.values()];
    const read = (row: Row, field: string) => searchField(kind, field)?.(row, (p) => this.variantsOf(p));
    const current = this.searchLagMs === 0 || query.length === 0;
    return rows.filter(
      (row): row is Row =>
        row !== undefined && (current || this.indexed(kind, row)) && matchesQuery(row, query, read, freeText),
    );
  }

  /** The rows whose indexed `field` equals `value`, letter case aside (a value ending in `*` is no prefix here). */
  findBy(kind: Searchable, field: string, value: string): Row[] {
    const read = searchField(kind, field)!;
    const wanted = value.toLowerCase();
    const equals = (row: Row) =>
      [read(row, (p) => this.variantsOf(p))]
        .flat()
        .some((held) => held !== null && held !== undefined && scalarText(held).toLowerCase() === wanted);
    return this.indexes[kind]
      .find(field, value)
      .map((id) => this.tables[kind].get(id))
      .filter((row): row is Row => row !== undefined && equals(row));
  }

  // ---- seeding: accept records as the GraphQL API returns them -------------------------------

  private idFor(gid: unknown): number {
    const id =
      typeof gid === 'string' && gid.startsWith('gid://') ? Number(gid.split('/').pop()) : this.nextId++;
    this.nextId = Math.max(this.nextId, id + 1);
    return id;
  }

  private insertCustomer(raw: Row): Row {
    const id = this.idFor(raw.id);
    const addresses = asList(raw.addresses ?? raw.addressesV2).map(normaliseAddress);
    const row: Row = {
      state: 'ENABLED',
      verifiedEmail: true,
      locale: 'en',
      tags: [],
      note: null,
      phone: null,
      createdAt: nowIso(),
      ...raw,
      id: `gid://shopify/Customer/${id}`,
      legacyResourceId: String(id),
      addresses,
      defaultAddress: raw.defaultAddress ? normaliseAddress(raw.defaultAddress) : (addresses[0] ?? null),
    };
    row.updatedAt = raw.updatedAt ?? row.createdAt;
    return this.keep('customers', id, row);
  }

  private insertProduct(raw: Row): Row {
    const id = this.idFor(raw.id);
    const gid = `gid://shopify/Product/${id}`;
    const createdAt = raw.createdAt ?? nowIso();
    const variants = asList(raw.variants).map((variant, index) =>
      this.insertVariant(variant as Row, id, index, createdAt),
    );
    const row: Row = {
      status: 'ACTIVE',
      vendor: '',
      productType: '',
      tags: [],
      descriptionHtml: '',
      createdAt,
      ...raw,
      id: gid,
      legacyResourceId: String(id),
      handle: raw.handle ?? slug(String(raw.title ?? gid)),
      options: asList(raw.options).map((option: Row, index) => ({
        id: `gid://shopify/ProductOption/${this.nextId++}`,
        name: option.name,
        position: option.position ?? index + 1,
        values: option.values ?? asList(option.optionValues).map((value: Row) => value.name),
      })),
      variantIds: variants.map((variant) => Number(variant.legacyResourceId)),
      media: asList(raw.media).map((media: Row) =>
        this.held({
          __typename: 'MediaImage',
          id: `gid://shopify/MediaImage/${this.nextId++}`,
          mediaContentType: 'IMAGE',
          status: 'READY',
          mediaErrors: [],
          ...media,
        }),
      ),
    };
    delete row.variants;
    row.updatedAt = raw.updatedAt ?? createdAt;
    return this.keep('products', id, row);
  }

  private insertVariant(raw: Row, productId: number, index: number, createdAt: string): Row {
    const id = this.idFor(raw.id);
    const selectedOptions = asList(raw.selectedOptions);
    const row: Row = {
      title: selectedOptions.map((option: Row) => option.value).join(' / ') || 'Default Title',
      price: '0.00',
      compareAtPrice: null,
      barcode: null,
      inventoryQuantity: 0,
      taxable: true,
      position: index + 1,
      createdAt,
      updatedAt: createdAt,
      ...raw,
      id: `gid://shopify/ProductVariant/${id}`,
      legacyResourceId: String(id),
      selectedOptions,
      productId,
    };
    return this.keep('productVariants', id, row);
  }

  private insertOrder(raw: Row): Row {
    const id = this.idFor(raw.id);
    const customerId = raw.customer?.id ? Number(String(raw.customer.id).split('/').pop()) : null;
    const row: Row = {
      tags: [],
      note: null,
      cancelledAt: null,
      displayFulfillmentStatus: 'UNFULFILLED',
      displayFinancialStatus: 'PAID',
      createdAt: nowIso(),
      ...raw,
      id: `gid://shopify/Order/${id}`,
      legacyResourceId: String(id),
      name: raw.name ?? `#${this.nextOrderNumber++}`,
      customerId,
      lineItems: asList(raw.lineItems).map((line: Row) => ({
        ...line,
        id: line.id ?? `gid://shopify/LineItem/${this.nextId++}`,
        name: line.name ?? line.title,
        variantId: line.variant?.id ? Number(String(line.variant.id).split('/').pop()) : null,
      })),
      shippingLines: asList(raw.shippingLines),
    };
    delete row.customer;
    row.processedAt = raw.processedAt ?? row.createdAt;
    row.updatedAt = raw.updatedAt ?? row.createdAt;
    this.keep('orders', id, row);
    const number = Number(String(row.name).replace(/\D/g, ''));
    if (number >= this.nextOrderNumber) this.nextOrderNumber = number + 1;
    return row;
  }

  // ---- reads -----------------------------------------------------------------------------------

  variantsOf(product: Row): Row[] {
    return (product.variantIds as number[])
      .map((id) => this.variants.get(id))
      .filter((v): v is Row => v !== undefined);
  }

  byGid(gid: string): Row | undefined {
    const match = /^gid:\/\/shopify\/(\w+)\/(\d+)$/.exec(gid);
    if (!match) return undefined;
    const id = Number(match[2]);
    switch (match[1]) {
      case 'Customer':
        return this.customers.get(id);
      case 'Product':
        return this.products.get(id);
      case 'ProductVariant':
        return this.variants.get(id);
      case 'Order':
        return this.orders.get(id);
      default:
        return undefined;
    }
  }

  // ---- writes: the rules the Admin API applies -------------------------------------------------

  customerWrite(input: Row, update: boolean): { customer: Row | null; userErrors: UserError[] } {
    const existing = update ? this.byGid(String(input.id ?? '')) : undefined;
    if (update && !existing)
      return { customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] };
    const errors: UserError[] = [];
    const email = input.email ?? existing?.email;
    if (!email && !input.phone && !input.firstName && !input.lastName && !existing) {
      errors.push({ field: null, message: 'A name, phone number, or email address must be present' });
    }
    if (input.email !== undefined && input.email !== null && !EMAIL.test(String(input.email))) {
      errors.push({ field: ['email'], message: 'Email is invalid' });
    }
    if (email && this.findBy('customers', 'email', String(email)).some((c) => c !== existing)) {
      errors.push({ field: ['email'], message: 'Email has already been taken' });
    }
    const phone =
      input.phone === null || input.phone === undefined || input.phone === '' ? null : e164(input.phone);
    if (phone === undefined) errors.push({ field: ['phone'], message: 'Phone is invalid' });
    else if (phone && this.findBy('customers', 'phone', phone).some((c) => c !== existing)) {
      errors.push({ field: ['phone'], message: 'Phone has already been taken' });
    }
    errors.push(...addressPhoneErrors(input.addresses, ['addresses']));
    if (errors.length > 0) return { customer: null, userErrors: errors };
    this.writes++;
    const fields = { ...input };
    if (phone) fields.phone = phone;
    if (Array.isArray(fields.addresses))
      fields.addresses = fields.addresses.map((a: Row) => (a?.phone ? { ...a, phone: e164(a.phone) } : a));
    // A shop holds each tag once.
    if (Array.isArray(fields.tags)) fields.tags = [...new Set(fields.tags as string[])];
    delete fields.id;
    if (existing) {
      Object.assign(existing, fields, { updatedAt: nowIso() });
      if (input.addresses) {
        existing.addresses = asList(input.addresses).map(normaliseAddress);
        existing.defaultAddress = existing.addresses[0] ?? null;
      }
      this.keep('customers', Number(existing.legacyResourceId), existing);
      return { customer: existing, userErrors: [] };
    }
    return { customer: this.insertCustomer({ ...fields, createdAt: nowIso() }), userErrors: [] };
  }

  customerDelete(gid: string): { deletedCustomerId: string | null; userErrors: UserError[] } {
    const found = this.byGid(gid);
    if (!found)
      return { deletedCustomerId: null, userErrors: [{ field: ['id'], message: "Customer can't be found" }] };
    // "You can only delete customers who haven't placed any orders" (customerDelete).
    const id = Number(found.legacyResourceId);
    if (this.findBy('orders', 'customer_id', String(id)).length > 0)
      return {
        deletedCustomerId: null,
        userErrors: [
          { field: ['id'], message: 'Customer can’t be deleted because they have associated orders' },
        ],
      };
    this.writes++;
    this.forget('customers', id);
    return { deletedCustomerId: gid, userErrors: [] };
  }

  productSet(input: Row): { product: Row | null; userErrors: UserError[] } {
    const existing = input.id ? this.byGid(String(input.id)) : undefined;
    if (input.id && !existing)
      return {
        product: null,
        userErrors: [
          { field: ['input', 'id'], message: 'Product does not exist', code: 'PRODUCT_DOES_NOT_EXIST' },
        ],
      };
    const errors = validateProductSet(input, existing);
    asList(input.files).forEach((file: Row, index) => {
      if (file.id && !this.mediaById.has(String(file.id)))
        errors.push({
          field: ['input', 'files', String(index), 'id'],
          message: MEDIA_PROCESSING.unknownFile,
        });
    });
    if (errors.length > 0) return { product: null, userErrors: errors };
    this.writes++;
    const now = nowIso();
    const productId = existing ? Number(existing.legacyResourceId) : this.nextId++;
    const previous = new Map<string, Row>(
      existing ? this.variantsOf(existing).map((v) => [v.id as string, v]) : [],
    );
    const variantIds: number[] = [];
    asList(input.variants).forEach((variant: Row, index) => {
      const old = variant.id ? previous.get(String(variant.id)) : undefined;
      previous.delete(String(variant.id));
      const quantity = asList(variant.inventoryQuantities).reduce(
        (sum: number, q: Row) => sum + Number(q.quantity ?? 0),
        0,
      );
      const row = this.insertVariant(
        {
          ...(old ?? {}),
          id: old?.id,
          sku: variant.sku ?? old?.sku ?? null,
          price: variant.price ?? old?.price ?? '0.00',
          compareAtPrice: variant.compareAtPrice ?? null,
          barcode: variant.barcode ?? old?.barcode ?? null,
          taxable: variant.taxable ?? old?.taxable ?? true,
          inventoryQuantity: variant.inventoryQuantities ? quantity : (old?.inventoryQuantity ?? 0),
          selectedOptions: asList(variant.optionValues).map((v: Row) => ({
            name: v.optionName,
            value: v.name,
          })),
          updatedAt: now,
          createdAt: old?.createdAt ?? now,
          // Shopify derives a variant's title from its option values.
          title:
            asList(variant.optionValues)
              .map((v: Row) => v.name)
              .join(' / ') || 'Default Title',
        },
        productId,
        index,
        old?.createdAt ?? now,
      );
      variantIds.push(Number(row.legacyResourceId));
    });
    // A list productSet is given is the whole list (variants it leaves out are deleted); one it omits stays.
    if (input.variants)
      for (const removed of previous.values())
        this.forget('productVariants', Number(removed.legacyResourceId));
    const options = asList(input.productOptions).map((option: Row, index) => ({
      id: `gid://shopify/ProductOption/${this.nextId++}`,
      name: option.name,
      position: option.position ?? index + 1,
      values: asList(option.values).map((value: Row) => value.name),
    }));
    const handle = uniqueHandle(input.handle ?? existing?.handle ?? slug(String(input.title)), (taken) =>
      this.findBy('products', 'handle', taken).some((p) => p !== existing && p.handle === taken),
    );
    const scalars = pick(input, ['title', 'descriptionHtml', 'vendor', 'productType', 'tags', 'status']);
    const row: Row = {
      vendor: '',
      productType: '',
      tags: [],
      descriptionHtml: '',
      status: 'ACTIVE',
      ...(existing ?? {}),
      ...scalars,
      id: `gid://shopify/Product/${productId}`,
      legacyResourceId: String(productId),
      handle,
      options: input.productOptions ? options : (existing?.options ?? []),
      variantIds: input.variants ? variantIds : (existing?.variantIds ?? []),
      media: input.files
        ? asList(input.files).map((file: Row) => this.fileOf(file))
        : (existing?.media ?? []),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.keep('products', productId, row);
    return { product: row, userErrors: [] };
  }

  /**
   * A product's file: the shop's own by `id` (its alt updated), or a new media downloaded from
   * `originalSource` in the background (MEDIA_PROCESSING).
   */
  private fileOf(file: Row): Row {
    const held = file.id ? this.mediaById.get(String(file.id)) : undefined;
    if (held) {
      if (file.alt !== undefined) held.alt = file.alt;
      return held;
    }
    const source = String(file.originalSource ?? '');
    const media = this.held({
      __typename: 'MediaImage',
      id: `gid://shopify/MediaImage/${this.nextId++}`,
      alt: file.alt ?? null,
      mediaContentType: 'IMAGE',
      originalSource: { url: source, fileSize: null },
    });
    return this.media.start(media, source);
  }

  private held(media: Row): Row {
    this.mediaById.set(String(media.id), media);
    return media;
  }

  productDelete(gid: string): { deletedProductId: string | null; userErrors: UserError[] } {
    const found = this.byGid(gid);
    if (!found)
      return { deletedProductId: null, userErrors: [{ field: ['id'], message: 'Product does not exist' }] };
    this.writes++;
    for (const variant of this.variantsOf(found))
      this.forget('productVariants', Number(variant.legacyResourceId));
    this.forget('products', Number(found.legacyResourceId));
    return { deletedProductId: gid, userErrors: [] };
  }

  orderCreate(input: Row): { order: Row | null; userErrors: UserError[] } {
    const errors: UserError[] = [];
    const lines = asList(input.lineItems);
    if (lines.length === 0)
      errors.push({
        field: ['order', 'lineItems'],
        message: 'Line items must have at least one line item',
        code: 'INVALID',
      });
    const currency = input.currency ?? this.shop.currencyCode;
    lines.forEach((line: Row, index) => {
      if (line.variantId && !this.byGid(String(line.variantId))) {
        errors.push({
          field: ['order', 'lineItems', String(index), 'variantId'],
          message: 'Variant does not exist',
          code: 'PRODUCT_VARIANT_DOES_NOT_EXIST',
        });
      }
      if (!line.variantId && (!line.title || !line.priceSet)) {
        errors.push({
          field: ['order', 'lineItems', String(index)],
          message: 'A custom line item needs a title and a price',
          code: 'INVALID',
        });
      }
      if (!(Number.isInteger(line.quantity) && line.quantity > 0)) {
        errors.push({
          field: ['order', 'lineItems', String(index), 'quantity'],
          message: 'Quantity must be greater than 0',
          code: 'INVALID',
        });
      }
    });
    for (const address of ['billingAddress', 'shippingAddress'])
      errors.push(...addressPhoneErrors(input[address] ?? null, ['order', address]));
    const customerGid = input.customer?.toAssociate?.id;
    if (customerGid && !this.byGid(String(customerGid))) {
      errors.push({
        field: ['order', 'customer', 'toAssociate', 'id'],
        message: 'Customer does not exist',
        code: 'CUSTOMER_DOES_NOT_EXIST',
      });
    }
    if (errors.length > 0) return { order: null, userErrors: errors };
    this.writes++;
    const money = (amount: Decimal.Value) => {
      const value = { amount: new Decimal(amount).toFixed(2), currencyCode: currency };
      return { shopMoney: value, presentmentMoney: value };
    };
    const amountOf = (set: Row | undefined) => new Decimal(String(set?.shopMoney?.amount ?? 0));
    const lineItems = lines.map((line: Row) => {
      const variant = line.variantId ? this.byGid(String(line.variantId)) : undefined;
      const unit = line.priceSet ? amountOf(line.priceSet) : new Decimal(variant?.price ?? 0);
      return {
        id: `gid://shopify/LineItem/${this.nextId++}`,
        title: line.title ?? (variant ? this.products.get(variant.productId)?.title : ''),
        name: line.title ?? '',
        sku: line.sku ?? variant?.sku ?? null,
        quantity: line.quantity,
        variantTitle: line.variantTitle ?? variant?.title ?? null,
        variantId: variant ? Number(variant.legacyResourceId) : null,
        originalUnitPriceSet: money(unit),
        originalTotalSet: money(unit.times(line.quantity)),
        taxLines: asList(line.taxLines).map(taxLine),
      };
    });
    const shippingLines = asList(input.shippingLines).map((s: Row) => ({
      title: s.title,
      code: s.code ?? null,
      originalPriceSet: money(amountOf(s.priceSet)),
      discountedPriceSet: money(amountOf(s.priceSet)),
      taxLines: asList(s.taxLines).map(taxLine),
    }));
    const subtotal = lineItems.reduce(
      (sum, line) => sum.plus(amountOf(line.originalTotalSet)),
      new Decimal(0),
    );
    const shipping = shippingLines.reduce((sum, s) => sum.plus(amountOf(s.originalPriceSet)), new Decimal(0));
    const allTaxLines = [
      ...asList(input.taxLines).map(taxLine),
      ...lineItems.flatMap((l) => l.taxLines),
      ...shippingLines.flatMap((s) => s.taxLines),
    ];
    const tax = allTaxLines.reduce<Decimal>((sum, t) => sum.plus(amountOf(t.priceSet)), new Decimal(0));
    const discount = amountOf(input.discountCode?.itemFixedDiscountCode?.amountSet);
    const total = input.taxesIncluded
      ? subtotal.plus(shipping).minus(discount)
      : subtotal.plus(shipping).plus(tax).minus(discount);
    const now = nowIso();
    const row = this.insertOrder({
      email: input.email ?? null,
      phone: input.phone ?? null,
      note: input.note ?? null,
      tags: input.tags ?? [],
      currencyCode: currency,
      sourceIdentifier: input.sourceIdentifier ?? null,
      name: input.name,
      customer: customerGid ? { id: customerGid } : null,
      billingAddress: input.billingAddress ? normaliseAddress(input.billingAddress) : null,
      shippingAddress: input.shippingAddress ? normaliseAddress(input.shippingAddress) : null,
      displayFinancialStatus: input.financialStatus ?? 'PAID',
      displayFulfillmentStatus: FULFILLMENT[input.fulfillmentStatus as string] ?? 'UNFULFILLED',
      processedAt: input.processedAt ?? now,
      createdAt: now,
      updatedAt: now,
      subtotalPriceSet: money(subtotal),
      totalShippingPriceSet: money(shipping),
      totalTaxSet: money(tax),
      totalDiscountsSet: money(discount),
      totalPriceSet: money(total),
      taxLines: asList(input.taxLines).map(taxLine),
      shippingLines,
      lineItems: [],
    });
    row.lineItems = lineItems;
    return { order: row, userErrors: [] };
  }

  /**
   * orderCancel (2024-10+): an asynchronous job in Shopify; here it is done at once. Cancelling an order
   * twice, or one that does not exist, is refused in orderCancelUserErrors.
   */
  orderCancel(gid: string): { job: Row | null; orderCancelUserErrors: UserError[]; userErrors: UserError[] } {
    const found = this.byGid(gid);
    const refuse = (message: string, code: string) => {
      const errors = [{ field: ['orderId'], message, code }];
      return { job: null, orderCancelUserErrors: errors, userErrors: errors };
    };
    if (!found || !this.orders.has(Number(found.legacyResourceId)))
      return refuse('Order does not exist', 'NOT_FOUND');
    if (found.cancelledAt) return refuse('Order has already been cancelled', 'INVALID');
    this.writes++;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.keep(
      'orders',
      Number(found.legacyResourceId),
      Object.assign(found, { cancelledAt: now, updatedAt: now }),
    );
    return {
      job: { id: `gid://shopify/Job/${this.nextId++}`, done: true },
      orderCancelUserErrors: [],
      userErrors: [],
    };
  }

  orderDelete(gid: string): { deletedId: string | null; userErrors: UserError[] } {
    const found = this.byGid(gid);
    if (!found)
      return { deletedId: null, userErrors: [{ field: ['orderId'], message: 'Order does not exist' }] };
    this.writes++;
    this.forget('orders', Number(found.legacyResourceId));
    return { deletedId: gid, userErrors: [] };
  }
}

const FULFILLMENT: Record<string, string> = {
  FULFILLED: 'FULFILLED',
  PARTIAL: 'PARTIALLY_FULFILLED',
  RESTOCKED: 'RESTOCKED',
};

function taxLine(line: Row): Row {
  const amount = line.priceSet?.shopMoney ?? { amount: '0.00', currencyCode: 'USD' };
  return {
    title: line.title,
    rate: Number(line.rate ?? 0),
    priceSet: { shopMoney: amount, presentmentMoney: amount },
  };
}

function validateProductSet(input: Row, existing: Row | undefined): UserError[] {
  const errors: UserError[] = [];
  if (!existing && !input.title)
    errors.push({ field: ['input', 'title'], message: "Title can't be blank", code: 'BLANK' });
  const optionNames = asList(input.productOptions).map((option: Row) => String(option.name));
  const combos = new Set<string>();
  asList(input.variants).forEach((variant: Row, index) => {
    const names = asList(variant.optionValues).map((value: Row) => String(value.optionName));
    if (
      input.productOptions &&
      (names.length !== optionNames.length || names.some((name) => !optionNames.includes(name)))
    ) {
      errors.push({
        field: ['input', 'variants', String(index), 'optionValues'],
        message: 'Option values must match the product options',
        code: 'INVALID_VARIANT',
      });
    }
    const combo = asList(variant.optionValues)
      .map((value: Row) => `${value.optionName}=${value.name}`)
      .sort()
      .join('|');
    if (combos.has(combo)) {
      errors.push({
        field: ['input', 'variants', String(index)],
        message: `The variant '${combo}' already exists`,
        code: 'DUPLICATE_VARIANT',
      });
    }
    combos.add(combo);
    if (variant.price !== undefined && !/^-?\d+(\.\d+)?$/.test(String(variant.price))) {
      errors.push({
        field: ['input', 'variants', String(index), 'price'],
        message: 'Price must be a number',
        code: 'INVALID',
      });
    }
  });
  return errors;
}

export function normaliseAddress(raw: Row): Row {
  const countryCode = raw.countryCodeV2 ?? raw.countryCode ?? null;
  return {
    firstName: raw.firstName ?? null,
    lastName: raw.lastName ?? null,
    company: raw.company ?? null,
    address1: raw.address1 ?? null,
    address2: raw.address2 ?? null,
    city: raw.city ?? null,
    province: raw.province ?? null,
    provinceCode: raw.provinceCode ?? null,
    zip: raw.zip ?? null,
    country: raw.country ?? countryCode,
    countryCodeV2: countryCode,
    phone: raw.phone ?? null,
    name: [raw.firstName, raw.lastName].filter(Boolean).join(' ') || null,
  };
}

export function asList(value: unknown): any[] {
  if (value == null) return [];
  if (Array.isArray(value)) return value;
  const connection = value as { nodes?: unknown[]; edges?: { node: unknown }[] };
  if (Array.isArray(connection.nodes)) return connection.nodes;
  if (Array.isArray(connection.edges)) return connection.edges.map((edge) => edge.node);
  return [];
}

function pick(input: Row, keys: string[]): Row {
  return Object.fromEntries(keys.filter((key) => input[key] !== undefined).map((key) => [key, input[key]]));
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'product'
  );
}

function uniqueHandle(handle: string, taken: (handle: string) => boolean): string {
  if (!taken(handle)) return handle;
  let n = 1;
  while (taken(`${handle}-${n}`)) n++;
  return `${handle}-${n}`;
}
