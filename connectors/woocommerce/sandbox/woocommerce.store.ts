import Decimal from 'decimal.js';
import { scalarText } from '../../../src/connectors';
import { IMAGE_UPLOAD, UNKNOWN_ID, WRITABLE } from './woocommerce.contract';

export type Row = Record<string, any>;

/** A WordPress REST error: `{code, message, data: {status, params?}}`. */
export class WcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly params?: Record<string, string> | string[],
  ) {
    super(message);
  }

  body() {
    return {
      code: this.code,
      message: this.message,
      data: { status: this.status, ...(this.params ? { params: this.params } : {}) },
    };
  }
}

export type Resource = 'customers' | 'products' | 'orders' | 'variations';

/** The store's own site as a seed names it (its uploads under `wp-content/uploads/`), wherever the sandbox runs. */
export const SEED_SITE = 'https://store.example/';

const wpDate = (date: Date) => date.toISOString().slice(0, 19);
/**
 * A write as a store takes it: the fields WRITABLE names for the resource, an address's own keys; the rest is
 * dropped.
 */
function storedFields(resource: Resource, body: Row): Row {
  const kept = Object.fromEntries(
    Object.entries(body).filter(([key]) => WRITABLE.value[resource].includes(key)),
  );
  for (const key of ['billing', 'shipping'])
    if (kept[key] && typeof kept[key] === 'object')
      kept[key] = Object.fromEntries(
        Object.entries(kept[key] as Row).filter(([field]) => ADDRESS_KEYS.includes(field)),
      );
  return kept;
}

/** An email address as WordPress's is_email takes one, near enough for the addresses a store holds. */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ADDRESS_KEYS = [
  'first_name',
  'last_name',
  'company',
  'address_1',
  'address_2',
  'city',
  'state',
  'postcode',
  'country',
  'email',
  'phone',
];
/** Statuses that, in WooCommerce, take stock off the shelf unless the order says it already has. */
const STOCK_REDUCING = ['processing', 'completed', 'on-hold'];

/**
 * The sandbox store's data in wc/v3 shape, with the rules WooCommerce applies on write: unique
 * customer email, unique SKU across products and variations, money formatted to 2 decimals, totals
 * computed from lines, and stock reduced by paid orders (as wc_maybe_reduce_stock_levels does).
 */
export class WooStore {
  /** Which rows hold an email, a SKU (products and variations share one) or a slug: one lookup per check. */
  private readonly emails = new ValueIndex(
    (row) => (row.email ? String(row.email).toLowerCase() : undefined),
    (row) => this.customers.get(row.id) === row,
  );
  private readonly skus = new ValueIndex(
    (row) => (row.sku ? String(row.sku) : undefined),
    (row) => this.products.get(row.id) === row || this.variations.get(row.id) === row,
  );
  private readonly slugs = new ValueIndex(
    (row) => (row.slug ? String(row.slug) : undefined),
    (row) => this.products.get(row.id) === row,
  );
  readonly customers = new Map<number, Row>();
  readonly products = new Map<number, Row>();
  readonly variations = new Map<number, Row>();
  readonly orders = new Map<number, Row>();
  /**
   * The media library: every image a product write uploaded (or a seed held), by attachment id. A product
   * image given by `id` reuses one; one given by `src` alone is downloaded into a new one, every time.
   */
  readonly attachments = new Map<number, { src: string; name: string }>();
  /** The store's own site: where its uploads are served. A seed names it SEED_SITE until the sandbox listens. */
  private site = SEED_SITE;
  private readonly uploads = new Set<string>();
  /** How many files took each name's suffixes so far (wp_unique_filename's next `-n`). */
  private readonly taken = new Map<string, number>();
  currency = 'EUR';
  writes = 0;
  private nextId = 100;

  seed(data: Record<string, unknown>): void {
    if (typeof data.currency === 'string') this.currency = data.currency;
    for (const raw of (data.customers as Row[] | undefined) ?? [])
      this.insert('customers', this.customerDefaults(raw));
    for (const raw of (data.products as Row[] | undefined) ?? []) {
      const variations =
        (raw.variations as unknown[] | undefined)?.filter((v): v is Row => typeof v === 'object') ?? [];
      const product = this.insert('products', this.productDefaults({ ...raw, variations: [] }, true));
      for (const variation of variations) this.insertVariation(product, variation, true);
    }
    for (const raw of (data.orders as Row[] | undefined) ?? [])
      this.insert('orders', this.orderDefaults(raw, false));
  }

  table(resource: Resource): Map<number, Row> {
    return this[resource];
  }

  private insert(resource: Resource, row: Row): Row {
    const id = typeof row.id === 'number' && row.id > 0 ? row.id : this.nextId++;
    this.nextId = Math.max(this.nextId, id + 1);
    row.id = id;
    if (resource === 'orders') row.number = row.number ?? String(id);
    this.table(resource).set(id, row);
    for (const index of this.indexesOf(resource)) index.add(row);
    return row;
  }

  private indexesOf(resource: Resource): ValueIndex[] {
    return resource === 'customers'
      ? [this.emails]
      : resource === 'products'
        ? [this.skus, this.slugs]
        : resource === 'variations'
          ? [this.skus]
          : [];
  }

  private insertVariation(product: Row, raw: Row, seeded = false): Row {
    const row = this.insert('variations', this.variationDefaults({ ...raw, parent_id: product.id }, seeded));
    product.variations.push(row.id);
    refreshVariablePrice(product, this);
    return row;
  }

  // ---- create / update / delete -------------------------------------------------------------

  create(resource: Resource, body: Row, parentId?: number): Row {
    this.validate(resource, body, undefined, parentId);
    this.writes++;
    const fields = storedFields(resource, body);
    switch (resource) {
      case 'customers':
        return this.insert('customers', this.customerDefaults(fields));
      case 'products':
        return this.insert('products', this.productDefaults({ ...fields, variations: [] }));
      case 'variations':
        return this.insertVariation(this.products.get(parentId!)!, fields);
      case 'orders': {
        const order = this.insert('orders', this.orderDefaults(fields, true));
        this.maybeReduceStock(order);
        return order;
      }
    }
  }

  update(resource: Resource, id: number, body: Row, parentId?: number): Row {
    const existing = this.find(resource, id, parentId, 'update');
    this.validate(resource, body, existing, parentId);
    if (resource === 'customers' && body.username !== undefined && body.username !== existing.username)
      throw new WcError('woocommerce_rest_customer_invalid_argument', "Username isn't editable.", 400);
    this.writes++;
    const now = new Date();
    const patch = storedFields(resource, body);
    delete patch.password;
    for (const key of ['billing', 'shipping']) {
      if (patch[key]) patch[key] = { ...existing[key], ...patch[key] };
    }
    if (patch.meta_data) patch.meta_data = mergeMeta(existing.meta_data, patch.meta_data);
    if (resource === 'products' && Array.isArray(patch.images))
      patch.images = this.attach(patch.images as Row[]);
    if (resource === 'products' || resource === 'variations')
      Object.assign(patch, priceFields(patch, existing));
    if (patch.stock_quantity !== undefined) patch.stock_status = stockStatus(patch.stock_quantity);
    const indexes = this.indexesOf(resource);
    for (const index of indexes) index.delete(existing);
    Object.assign(existing, patch, { date_modified: wpDate(now), date_modified_gmt: wpDate(now) });
    for (const index of indexes) index.add(existing);
    if (resource === 'variations') refreshVariablePrice(this.products.get(existing.parent_id)!, this);
    if (resource === 'orders') {
      if (patch.line_items || patch.shipping_lines || patch.fee_lines) computeOrderTotals(existing);
      this.maybeReduceStock(existing);
    }
    return existing;
  }

  remove(resource: Resource, id: number, force: boolean, parentId?: number): Row {
    const existing = this.find(resource, id, parentId, 'delete');
    if (!force && resource !== 'orders' && resource !== 'products') {
      throw new WcError('woocommerce_rest_trash_not_supported', 'Resource does not support trashing.', 501);
    }
    // Without force, a product or order goes to the trash: kept, listed only with status=trash, restorable
    // by updating its status. Trashing it twice is refused.
    if (!force) {
      if (existing.status === 'trash')
        throw new WcError('woocommerce_rest_already_trashed', 'The resource has already been deleted.', 410);
      this.writes++;
      const now = new Date();
      Object.assign(existing, {
        status: 'trash',
        date_modified: wpDate(now),
        date_modified_gmt: wpDate(now),
      });
      return existing;
    }
    this.writes++;
    this.table(resource).delete(id);
    for (const index of this.indexesOf(resource)) index.delete(existing);
    if (resource === 'products')
      for (const variationId of existing.variations as number[]) {
        const variation = this.variations.get(variationId);
        if (variation) this.skus.delete(variation);
        this.variations.delete(variationId);
      }
    if (resource === 'variations') {
      const parent = this.products.get(existing.parent_id);
      if (parent) parent.variations = (parent.variations as number[]).filter((v) => v !== id);
    }
    return existing;
  }

  /** The row, or the store's answer to an id it does not hold: 404 to a read, 400 to an update (UNKNOWN_ID). */
  find(
    resource: Resource,
    id: number,
    parentId?: number,
    action: 'read' | 'update' | 'delete' = 'read',
  ): Row {
    const row = this.table(resource).get(id);
    if (!row || (resource === 'variations' && row.parent_id !== parentId)) {
      const { code, [action]: answer } = UNKNOWN_ID.value[resource];
      throw new WcError(code, answer.message, answer.status);
    }
    return row;
  }

  private validate(resource: Resource, body: Row, existing: Row | undefined, parentId?: number): void {
    if (resource === 'customers') {
      if (!existing && (body.email === undefined || body.email === '')) {
        throw new WcError('rest_missing_callback_param', 'Missing parameter(s): email', 400, ['email']);
      }
      if (body.email !== undefined && !EMAIL.test(String(body.email))) {
        throw new WcError('rest_invalid_param', 'Invalid parameter(s): email', 400, {
          email: 'Invalid email address.',
        });
      }
      if (
        body.email !== undefined &&
        this.emails.holders(String(body.email).toLowerCase()).some((c) => c !== existing)
      ) {
        throw new WcError(
          'registration-error-email-exists',
          'An account is already registered with your email address. <a href="#" class="showlogin">Please log in.</a>',
        );
      }
    }
    if (resource === 'products' || resource === 'variations') {
      if (resource === 'variations' && !this.products.has(parentId!))
        throw new WcError('woocommerce_rest_product_invalid_id', 'Invalid ID.', 404);
      const sku = body.sku;
      if (sku) {
        const taken = this.skus.holders(String(sku)).some((p) => p !== existing);
        if (taken) throw new WcError('product_invalid_sku', 'Invalid or duplicated SKU.', 400);
      }
      for (const image of resource === 'products' && Array.isArray(body.images)
        ? (body.images as Row[])
        : []) {
        const id = Number(image?.id ?? 0);
        if (id > 0 && !this.attachments.has(id))
          throw new WcError(IMAGE_UPLOAD.invalidId.code, IMAGE_UPLOAD.invalidId.message(id), 400);
      }
      if (
        resource === 'products' &&
        body.type !== undefined &&
        !['simple', 'grouped', 'external', 'variable'].includes(body.type)
      ) {
        throw new WcError('rest_invalid_param', 'Invalid parameter(s): type', 400, {
          type: 'type is not one of simple, grouped, external, and variable.',
        });
      }
    }
    if (resource === 'orders') {
      if (body.customer_id && !this.customers.has(Number(body.customer_id))) {
        throw new WcError('woocommerce_rest_invalid_customer_id', 'Customer ID is invalid.', 400);
      }
      for (const line of (body.line_items as Row[] | undefined) ?? []) {
        if (line.product_id && !this.products.has(Number(line.product_id))) {
          throw new WcError(
            'woocommerce_rest_invalid_product_id',
            `Product ID ${line.product_id} is invalid.`,
            400,
          );
        }
        if (
          line.variation_id &&
          this.variations.get(Number(line.variation_id))?.parent_id !== Number(line.product_id)
        ) {
          throw new WcError(
            'woocommerce_rest_invalid_variation_id',
            `Variation ID ${line.variation_id} is invalid.`,
            400,
          );
        }
        if (line.quantity !== undefined && !(Number(line.quantity) > 0)) {
          throw new WcError('woocommerce_rest_invalid_quantity', 'Quantity must be a positive number.', 400);
        }
      }
    }
  }

  /** wc_maybe_reduce_stock_levels: a paid/processing order takes its quantities off managed stock, once. */
  private maybeReduceStock(order: Row): void {
    if (!STOCK_REDUCING.includes(order.status)) return;
    const meta = (order.meta_data as Row[]).find((m) => m.key === '_order_stock_reduced');
    if (meta && ['yes', '1', 'true', true].includes(meta.value)) return;
    for (const line of order.line_items as Row[]) {
      const item = line.variation_id
        ? this.variations.get(line.variation_id)
        : this.products.get(line.product_id);
      if (item?.manage_stock && typeof item.stock_quantity === 'number') {
        item.stock_quantity -= Number(line.quantity);
        item.stock_status = stockStatus(item.stock_quantity);
      }
    }
    order.meta_data.push({ id: this.nextId++, key: '_order_stock_reduced', value: 'yes' });
  }

  /** The site's URL once the sandbox listens: seeded images on SEED_SITE move there. */
  moveSite(url: string): void {
    const move = (src: string) => (src.startsWith(SEED_SITE) ? url + src.slice(SEED_SITE.length) : src);
    for (const attachment of this.attachments.values()) attachment.src = move(attachment.src);
    for (const product of this.products.values())
      for (const image of product.images as Row[]) image.src = move(String(image.src));
    this.site = url;
    this.uploads.clear();
    for (const attachment of this.attachments.values())
      if (attachment.src.startsWith(url)) this.uploads.add(new URL(attachment.src).pathname);
  }

  /** An image deleted from the media library (in WordPress's admin), its file with it. */
  deleteAttachment(id: number): void {
    const attachment = this.attachments.get(id);
    if (attachment?.src.startsWith(this.site)) this.uploads.delete(new URL(attachment.src).pathname);
    this.attachments.delete(id);
  }

  /** Whether the site serves this path: a file of its media library. */
  holdsUpload(path: string): boolean {
    return this.uploads.has(path);
  }

  /**
   * A product's images as set_product_images keeps them: one given by attachment `id` is that attachment
   * (its `src` ignored); one given by `src` alone is downloaded into a new attachment in the site's uploads
   * (IMAGE_UPLOAD.uploadsPath). A seeded image keeps the URL it names.
   */
  private attach(images: Row[], seeded = false): Row[] {
    return images.map((image, index) => {
      let id = Number(image.id ?? 0);
      if (!(id > 0) || !this.attachments.has(id)) {
        id = id > 0 ? id : this.nextId++;
        this.nextId = Math.max(this.nextId, id + 1);
        const given = String(image.src ?? '');
        const src = seeded ? given : this.upload(given);
        this.attachments.set(id, {
          src,
          name:
            src
              .split('/')
              .pop()
              ?.replace(/\.[^.]*$/, '') ?? '',
        });
      }
      const attachment = this.attachments.get(id)!;
      return {
        id,
        src: attachment.src,
        name: image.name ?? attachment.name,
        alt: image.alt ?? '',
        position: index,
      };
    });
  }

  /** Where a downloaded image is kept: this month's uploads folder, under its own name made unique. */
  private upload(source: string): string {
    const now = new Date();
    const month = String(now.getUTCMonth() + 1).padStart(2, '0');
    const folder = `/${IMAGE_UPLOAD.uploadsPath}${now.getUTCFullYear()}/${month}/`;
    let name = 'image';
    try {
      name = decodeURIComponent(new URL(source).pathname.split('/').pop() || 'image');
    } catch {
      // Not a URL (the download refused it already): the default name.
    }
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    // wp_unique_filename: name, name-1, name-2, …; the count per name keeps a thousand "image.jpg" cheap.
    const base = `${folder}${stem}${extension}`;
    let url = new URL(base, this.site);
    for (let n = this.taken.get(base) ?? 0; this.uploads.has(url.pathname); n++) {
      url = new URL(`${folder}${stem}-${n + 1}${extension}`, this.site);
      this.taken.set(base, n + 1);
    }
    this.uploads.add(url.pathname);
    return url.toString();
  }

  // ---- defaults: what WooCommerce fills in ---------------------------------------------------

  private customerDefaults(raw: Row): Row {
    const now = new Date();
    const address = (value: Row | undefined) =>
      Object.fromEntries(ADDRESS_KEYS.map((key) => [key, value?.[key] ?? '']));
    const row: Row = {
      date_created: wpDate(now),
      date_created_gmt: wpDate(now),
      date_modified: wpDate(now),
      date_modified_gmt: wpDate(now),
      email: '',
      first_name: '',
      last_name: '',
      role: 'customer',
      username: String(raw.email ?? '').split('@')[0],
      is_paying_customer: false,
      avatar_url: '',
      meta_data: [],
      ...raw,
    };
    delete row.password;
    row.billing = address(raw.billing);
    row.shipping = address(raw.shipping);
    row.meta_data = withMetaIds(row.meta_data, this);
    return row;
  }

  /** `seeded`: legacy data is kept as it is (a price "abc" stays "abc"); writes through the API are formatted. */
  private productDefaults(raw: Row, seeded = false): Row {
    const now = new Date();
    const row: Row = {
      name: '',
      slug: '',
      date_created: wpDate(now),
      date_created_gmt: wpDate(now),
      date_modified: wpDate(now),
      date_modified_gmt: wpDate(now),
      type: 'simple',
      status: 'publish',
      featured: false,
      description: '',
      short_description: '',
      sku: '',
      regular_price: '',
      sale_price: '',
      manage_stock: false,
      stock_quantity: null,
      stock_status: 'instock',
      total_sales: 0,
      weight: '',
      categories: [],
      tags: [],
      images: [],
      attributes: [],
      variations: [],
      parent_id: 0,
      meta_data: [],
      ...raw,
    };
    row.slug = row.slug || slugify(String(row.name));
    const taken = (slug: string) => this.slugs.holders(slug).length > 0;
    if (taken(row.slug)) row.slug = uniqueSlug(row.slug, taken);
    row.images = this.attach(row.images as Row[], seeded);
    row.attributes = (row.attributes as Row[]).map((a, index) => ({
      id: 0,
      position: index,
      visible: true,
      variation: false,
      options: [],
      ...a,
    }));
    row.tags = (row.tags as Row[]).filter((tag) => typeof tag.id === 'number');
    Object.assign(row, seeded ? { price: row.sale_price || row.regular_price } : priceFields(row, undefined));
    if (row.manage_stock && typeof row.stock_quantity === 'number')
      row.stock_status = stockStatus(row.stock_quantity);
    row.meta_data = withMetaIds(row.meta_data, this);
    return row;
  }

  private variationDefaults(raw: Row, seeded = false): Row {
    const now = new Date();
    const row: Row = {
      date_created: wpDate(now),
      date_created_gmt: wpDate(now),
      date_modified: wpDate(now),
      date_modified_gmt: wpDate(now),
      description: '',
      sku: '',
      regular_price: '',
      sale_price: '',
      status: 'publish',
      manage_stock: false,
      stock_quantity: null,
      stock_status: 'instock',
      weight: '',
      image: null,
      attributes: [],
      menu_order: 0,
      meta_data: [],
      ...raw,
    };
    Object.assign(row, seeded ? { price: row.sale_price || row.regular_price } : priceFields(row, undefined));
    if (row.manage_stock && typeof row.stock_quantity === 'number')
      row.stock_status = stockStatus(row.stock_quantity);
    row.attributes = (row.attributes as Row[]).map((a) => ({ id: 0, ...a }));
    row.meta_data = withMetaIds(row.meta_data, this);
    return row;
  }

  private orderDefaults(raw: Row, compute: boolean): Row {
    const now = new Date();
    const address = (value: Row | undefined) =>
      Object.fromEntries(ADDRESS_KEYS.map((key) => [key, value?.[key] ?? '']));
    const row: Row = {
      parent_id: 0,
      status: 'pending',
      currency: this.currency,
      prices_include_tax: false,
      date_created: wpDate(now),
      date_created_gmt: wpDate(now),
      date_modified: wpDate(now),
      date_modified_gmt: wpDate(now),
      discount_total: '0.00',
      discount_tax: '0.00',
      shipping_total: '0.00',
      shipping_tax: '0.00',
      cart_tax: '0.00',
      total: '0.00',
      total_tax: '0.00',
      customer_id: 0,
      order_key: `wc_order_${Math.random().toString(36).slice(2, 15)}`,
      payment_method: '',
      payment_method_title: '',
      transaction_id: '',
      customer_note: '',
      date_paid: null,
      date_completed: null,
      line_items: [],
      tax_lines: [],
      shipping_lines: [],
      fee_lines: [],
      coupon_lines: [],
      refunds: [],
      meta_data: [],
      ...raw,
    };
    row.billing = address(raw.billing);
    row.shipping = address(raw.shipping);
    row.meta_data = withMetaIds(row.meta_data, this);
    if (raw.set_paid) {
      row.status = raw.status && raw.status !== 'pending' ? raw.status : 'processing';
      row.date_paid = row.date_paid ?? wpDate(now);
    }
    delete row.set_paid;
    row.line_items = (row.line_items as Row[]).map((line) => this.lineDefaults(line));
    row.shipping_lines = (row.shipping_lines as Row[]).map((line) => ({
      id: this.nextId++,
      method_title: '',
      method_id: '',
      total_tax: '0.00',
      taxes: [],
      meta_data: [],
      ...line,
      total: money(line.total),
    }));
    row.fee_lines = (row.fee_lines as Row[]).map((line) => ({
      id: this.nextId++,
      name: '',
      tax_class: '',
      tax_status: 'taxable',
      total_tax: '0.00',
      taxes: [],
      ...line,
      meta_data: withMetaIds(line.meta_data ?? [], this),
      total: money(line.total),
    }));
    if (compute) computeOrderTotals(row);
    return row;
  }

  private lineDefaults(line: Row): Row {
    const item = line.variation_id
      ? this.variations.get(Number(line.variation_id))
      : this.products.get(Number(line.product_id));
    const parent = line.product_id ? this.products.get(Number(line.product_id)) : undefined;
    const quantity = Number(line.quantity ?? 1);
    const price =
      line.subtotal !== undefined
        ? new Decimal(String(line.subtotal)).div(quantity || 1)
        : new Decimal(String(item?.price || '0'));
    const subtotal = line.subtotal !== undefined ? new Decimal(String(line.subtotal)) : price.times(quantity);
    return {
      id: this.nextId++,
      name: line.name ?? parent?.name ?? '',
      product_id: Number(line.product_id ?? 0),
      variation_id: Number(line.variation_id ?? 0),
      quantity,
      tax_class: '',
      subtotal: subtotal.toFixed(2),
      subtotal_tax: '0.00',
      total: line.total !== undefined ? money(line.total) : subtotal.toFixed(2),
      total_tax: '0.00',
      taxes: [],
      meta_data: withMetaIds(line.meta_data ?? [], this),
      sku: item?.sku ?? line.sku ?? '',
      price: Number(price.toFixed(2)),
    };
  }

  newId(): number {
    return this.nextId++;
  }
}

/** Order totals as calculate_totals() leaves them on a store without tax rates. */
function computeOrderTotals(order: Row): void {
  const sum = (lines: Row[], key: string) =>
    lines.reduce((acc, line) => acc.plus(new Decimal(String(line[key] || '0'))), new Decimal(0));
  const lines = order.line_items as Row[];
  const shipping = sum(order.shipping_lines, 'total');
  const fees = sum(order.fee_lines, 'total');
  const discount = sum(lines, 'subtotal').minus(sum(lines, 'total'));
  order.discount_total = discount.toFixed(2);
  order.shipping_total = shipping.toFixed(2);
  order.total = sum(lines, 'total').plus(shipping).plus(fees).toFixed(2);
  order.total_tax = '0.00';
  order.cart_tax = '0.00';
}

function refreshVariablePrice(product: Row, store: WooStore): void {
  if (product.type !== 'variable') return;
  const prices = (product.variations as number[])
    .map((id) => store.variations.get(id)?.price)
    .filter((price): price is string => typeof price === 'string' && /^-?\d+(\.\d+)?$/.test(price))
    .map((price) => new Decimal(price));
  product.price = prices.length > 0 ? Decimal.min(...prices).toFixed(2) : '';
}

/** wc_format_decimal: prices are strings with 2 decimals; a value that is not a number becomes ''. */
function money(value: unknown): string {
  if (value === undefined || value === null || value === '') return '0.00';
  const text = scalarText(value);
  return /^-?\d+(\.\d+)?$/.test(text) ? new Decimal(text).toFixed(2) : '0.00';
}

function priceFields(body: Row, existing: Row | undefined): Row {
  const format = (value: unknown) =>
    value === '' || value == null
      ? ''
      : /^-?\d+(\.\d+)?$/.test(scalarText(value))
        ? new Decimal(scalarText(value)).toFixed(2)
        : '';
  const regular =
    body.regular_price !== undefined ? format(body.regular_price) : (existing?.regular_price ?? '');
  const sale = body.sale_price !== undefined ? format(body.sale_price) : (existing?.sale_price ?? '');
  return { regular_price: regular, sale_price: sale, price: sale || regular, on_sale: sale !== '' };
}

function stockStatus(quantity: number): string {
  return quantity > 0 ? 'instock' : 'outofstock';
}

function withMetaIds(meta: Row[], store: WooStore): Row[] {
  return (meta ?? []).map((entry) => ({ id: entry.id ?? store.newId(), key: entry.key, value: entry.value }));
}

function mergeMeta(existing: Row[], incoming: Row[]): Row[] {
  const merged = [...existing];
  for (const entry of incoming) {
    const found = merged.find((m) => (entry.id && m.id === entry.id) || m.key === entry.key);
    if (found) found.value = entry.value;
    else merged.push({ id: Math.floor(Math.random() * 1e9), key: entry.key, value: entry.value });
  }
  return merged;
}

function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'product'
  );
}

function uniqueSlug(slug: string, taken: (slug: string) => boolean): string {
  let n = 2;
  while (taken(`${slug}-${n}`)) n++;
  return `${slug}-${n}`;
}

/**
 * The rows holding each value of one field, kept on every insert, update and delete. A holder is checked again
 * on lookup (still in its table, still holding the value), so a store changed directly never shows a stale one.
 */
class ValueIndex {
  private readonly rows = new Map<string, Set<Row>>();

  constructor(
    private readonly valueOf: (row: Row) => string | undefined,
    /** Whether the row is still in its table (a test may delete from the store's maps directly). */
    private readonly live: (row: Row) => boolean,
  ) {}

  add(row: Row): void {
    const value = this.valueOf(row);
    if (value === undefined) return;
    const holders = this.rows.get(value);
    if (holders) holders.add(row);
    else this.rows.set(value, new Set([row]));
  }

  delete(row: Row): void {
    const value = this.valueOf(row);
    if (value !== undefined) this.rows.get(value)?.delete(row);
  }

  holders(value: string): Row[] {
    return [...(this.rows.get(value) ?? [])].filter((row) => this.live(row) && this.valueOf(row) === value);
  }
}
