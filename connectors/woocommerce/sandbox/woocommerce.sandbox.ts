import express, { type NextFunction, type Request, type Response } from 'express';
import {
  listen,
  type RunningSandbox,
  sandboxApp,
  type SandboxCounters,
  type SandboxOptions,
  serveImage,
} from '../../../src/connectors';
import { WOO_FACTS } from '../woocommerce.facts';
import { ImageDownloads } from './image-downloads';
import { verifyOauthSignature } from './oauth1';
import { DATE_FILTERED, EMAIL_FILTER, IMAGE_UPLOAD, ORDER, ORDERBY } from './woocommerce.contract';
import { EMAIL, type Resource, type Row, WcError, WooStore } from './woocommerce.store';

/** Host-level throttling (a WAF in front of the store): wc/v3 itself has none. */
const HOST_LIMIT = { requests: 50, perMs: 1000 };

/**
 * WooCommerce REST wc/v3 on 127.0.0.1: Basic auth, `consumer_key`/`consumer_secret` query parameters, or
 * OAuth 1.0a query signing (what the official client sends over http); page/per_page paging capped at
 * 100 with X-WP-Total, X-WP-TotalPages and Link; `/batch` capped at 100 items with per-item errors.
 */
export async function startWooSandbox(
  options: SandboxOptions,
): Promise<RunningSandbox & { store: WooStore }> {
  const key = options.credentials?.consumerKey ?? WOO_FACTS.sandboxConsumerKey;
  const secret = options.credentials?.consumerSecret ?? WOO_FACTS.sandboxConsumerSecret;
  const store = new WooStore();
  if (options.seed) store.seed(options.seed);
  const counters: SandboxCounters = { requests: 0, writes: 0, throttled: 0 };
  const nonces = new Map<string, number>();
  const window: number[] = [];
  const images = new ImageDownloads();
  /** A product write whose new image cannot be downloaded is refused whole, as the store refuses it. */
  const imagesRefuse = async (resource: Resource, item: Row) =>
    resource === 'products' ? await images.refusal(item) : null;

  const app = sandboxApp(options.latencyMs, counters);
  app.use(express.json({ limit: '20mb' }));
  const api = express.Router();

  api.use((req: Request, res: Response, next: NextFunction) => {
    if (options.rateLimit) {
      const now = Date.now();
      while (window.length > 0 && window[0] < now - HOST_LIMIT.perMs) window.shift();
      if (window.length >= HOST_LIMIT.requests) {
        counters.throttled++;
        res.setHeader('Retry-After', '1');
        res.status(429).json({
          code: 'rest_too_many_requests',
          message: 'Too many requests. Please wait and try again.',
          data: { status: 429 },
        });
        return;
      }
      window.push(now);
    }
    const failure = authenticate(req, key, secret, nonces);
    if (failure) {
      res.status(failure.status).json(failure.body());
      return;
    }
    next();
  });

  api.get('/', (_req, res) => {
    res.json({
      namespace: 'wc/v3',
      routes: Object.fromEntries(
        ['/wc/v3/customers', '/wc/v3/products', '/wc/v3/orders'].map((route) => [
          route,
          { methods: ['GET', 'POST'] },
        ]),
      ),
    });
  });
  api.get('/data/currencies/current', (_req, res) => {
    res.json({ code: store.currency, name: store.currency, symbol: store.currency });
  });

  const route = (path: string, resource: Resource) => {
    const parentOf = (req: Request) =>
      resource === 'variations' ? Number(req.params.product_id) : undefined;
    api.get(
      path,
      handle((req, res) => list(store, resource, req, res, parentOf(req))),
    );
    api.post(
      path,
      handle(async (req, res) => {
        const refused = await imagesRefuse(resource, body(req));
        if (refused) throw refused;
        res.status(201).json(view(resource, store.create(resource, body(req), parentOf(req))));
      }),
    );
    api.post(
      `${path}/batch`,
      handle(async (req, res) => {
        const request = body(req);
        const items = [...((request.create as Row[]) ?? []), ...((request.update as Row[]) ?? [])];
        const refused = new Map<Row, WcError>();
        if (items.length <= WOO_FACTS.batchLimit)
          for (const item of items) {
            const refusal = await imagesRefuse(resource, item);
            if (refusal) refused.set(item, refusal);
          }
        res.json(batch(store, resource, request, parentOf(req), refused));
      }),
    );
    api.get(
      `${path}/:id`,
      handle((req, res) =>
        res.json(view(resource, store.find(resource, Number(req.params.id), parentOf(req)))),
      ),
    );
    const update = handle(async (req, res) => {
      const refused = await imagesRefuse(resource, body(req));
      if (refused) throw refused;
      res.json(view(resource, store.update(resource, Number(req.params.id), body(req), parentOf(req))));
    });
    api.put(`${path}/:id`, update);
    api.patch(`${path}/:id`, update);
    api.post(`${path}/:id`, update);
    api.delete(
      `${path}/:id`,
      handle((req, res) =>
        res.json(
          view(
            resource,
            store.remove(resource, Number(req.params.id), req.query.force === 'true', parentOf(req)),
          ),
        ),
      ),
    );
  };
  route('/products/:product_id/variations', 'variations');
  route('/customers', 'customers');
  route('/products', 'products');
  route('/orders', 'orders');

  app.use(WOO_FACTS.apiPrefix, api);
  // The store's own site serves the files of its media library (what a destination downloads).
  app.get(`/${IMAGE_UPLOAD.uploadsPath}*file`, (req: Request, res: Response) =>
    serveImage(req.path, res, store.holdsUpload(req.path)),
  );
  app.use((_req: Request, res: Response) => {
    res.status(404).json({
      code: 'rest_no_route',
      message: 'No route was found matching the URL and request method.',
      data: { status: 404 },
    });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const wc =
      error instanceof WcError ? error : new WcError('rest_invalid_json', 'Invalid JSON body passed.', 400);
    res.status(wc.status).json(wc.body());
  });

  const running = await listen(app, options.port, options.host ?? '127.0.0.1', counters, () => store.writes);
  store.moveSite(`${running.url}/`);
  return { ...running, store };
}

function handle(fn: (req: Request, res: Response) => unknown) {
  return (req: Request, res: Response) => {
    const fail = (error: unknown) => {
      if (error instanceof WcError) res.status(error.status).json(error.body());
      else
        res
          .status(500)
          .json({ code: 'internal_server_error', message: (error as Error).message, data: { status: 500 } });
    };
    try {
      const done = fn(req, res);
      if (done instanceof Promise) done.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

function body(req: Request): Row {
  return (req.body ?? {}) as Row;
}

function authenticate(
  req: Request,
  key: string,
  secret: string,
  nonces: Map<string, number>,
): WcError | null {
  const query = req.query as Record<string, string>;
  const header = req.header('authorization');
  if (header?.startsWith('Basic ')) {
    const [user, pass] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    if (user !== key)
      return new WcError('woocommerce_rest_authentication_error', 'Consumer key is invalid.', 401);
    if (pass !== secret)
      return new WcError('woocommerce_rest_authentication_error', 'Consumer secret is invalid.', 401);
    return null;
  }
  if (query.consumer_key !== undefined) {
    if (query.consumer_key !== key)
      return new WcError('woocommerce_rest_authentication_error', 'Consumer key is invalid.', 401);
    if (query.consumer_secret !== secret)
      return new WcError('woocommerce_rest_authentication_error', 'Consumer secret is invalid.', 401);
    return null;
  }
  if (query.oauth_consumer_key !== undefined) {
    if (query.oauth_consumer_key !== key)
      return new WcError('woocommerce_rest_authentication_error', 'Consumer key is invalid.', 401);
    for (const param of ['oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_nonce']) {
      if (!query[param])
        return new WcError('woocommerce_rest_authentication_error', `Missing OAuth parameter ${param}`, 401);
    }
    const age = Math.abs(Date.now() / 1000 - Number(query.oauth_timestamp));
    if (!(age <= WOO_FACTS.oauthTimestampWindowSeconds)) {
      return new WcError('woocommerce_rest_authentication_error', 'The timestamp is too old.', 401);
    }
    const nonceKey = `${query.oauth_timestamp}:${query.oauth_nonce}`;
    if (nonces.has(nonceKey))
      return new WcError(
        'woocommerce_rest_authentication_error',
        'Invalid nonce - nonce has already been used.',
        401,
      );
    // The client signs the request URL without its query, port included.
    const baseUrl = `${req.protocol}://${req.get('host')}${req.originalUrl.split('?')[0]}`;
    if (!verifyOauthSignature(req.method, baseUrl, query, secret)) {
      return new WcError(
        'woocommerce_rest_authentication_error',
        'Invalid signature - provided signature does not match.',
        401,
      );
    }
    nonces.set(nonceKey, Date.now());
    if (nonces.size > 10_000) nonces.clear();
    return null;
  }
  return new WcError('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.', 401);
}

function list(store: WooStore, resource: Resource, req: Request, res: Response, parentId?: number): void {
  const query = req.query as Record<string, string>;
  const perPage = query.per_page === undefined ? 10 : Number(query.per_page);
  const page = query.page === undefined ? 1 : Number(query.page);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw new WcError('rest_invalid_param', 'Invalid parameter(s): per_page', 400, {
      per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)',
    });
  }
  if (!Number.isInteger(page) || page < 1) {
    throw new WcError('rest_invalid_param', 'Invalid parameter(s): page', 400, {
      page: 'page must be greater than or equal to 1',
    });
  }
  if (resource === 'variations' && !store.products.has(parentId!))
    throw new WcError('woocommerce_rest_product_invalid_id', 'Invalid ID.', 404);
  refuseBadListParams(resource, query);
  const rows = listing(store, resource, query, parentId);
  const total = rows.length;
  const totalPages = Math.ceil(total / perPage);
  res.setHeader('X-WP-Total', String(total));
  res.setHeader('X-WP-TotalPages', String(totalPages));
  const link = (p: number, rel: string) => {
    const params = new URLSearchParams({
      ...pickUserParams(query),
      page: String(p),
      per_page: String(perPage),
    });
    return `<${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}?${params.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1 && page <= totalPages + 1) links.push(link(page - 1, 'prev'));
  if (page < totalPages) links.push(link(page + 1, 'next'));
  if (links.length > 0) res.setHeader('Link', links.join(', '));
  res.json(
    rows.slice((page - 1) * perPage, page * perPage).map((row) => onlyFields(view(resource, row), query)),
  );
}

/** Listings by query, until the store's next write: paging through a store sorts it once, not per page. */
const listings = new WeakMap<WooStore, { writes: number; byQuery: Map<string, Row[]> }>();

/** The rows a list query selects, in its order (every page of one query shares them). */
function listing(
  store: WooStore,
  resource: Resource,
  query: Record<string, string>,
  parentId?: number,
): Row[] {
  const selection = pickUserParams(query);
  delete selection.page;
  delete selection.per_page;
  const key = JSON.stringify([resource, parentId, store.table(resource).size, selection]);
  let cache = listings.get(store);
  if (!cache || cache.writes !== store.writes) {
    cache = { writes: store.writes, byQuery: new Map() };
    listings.set(store, cache);
  }
  // Only a query's later pages reuse its first page's order: page 1 always reads the store as it is (a test
  // may change the store's maps directly, which counts no write).
  const known = Number(query.page ?? 1) > 1 ? cache.byQuery.get(key) : undefined;
  if (known) return known;
  let rows = [...store.table(resource).values()];
  if (resource === 'variations') rows = rows.filter((row) => row.parent_id === parentId);
  rows = rows.filter((row) => matches(resource, row, query));
  const orderby =
    query.orderby ?? (resource === 'customers' ? 'name' : resource === 'variations' ? 'menu_order' : 'date');
  const direction =
    (query.order ?? (resource === 'customers' || resource === 'variations' ? 'asc' : 'desc')) === 'asc'
      ? 1
      : -1;
  const sortKey = (row: Row): string | number =>
    orderby === 'id'
      ? row.id
      : orderby === 'modified'
        ? row.date_modified_gmt
        : orderby === 'name' || orderby === 'title'
          ? String(row.name ?? `${row.last_name} ${row.first_name}`).toLowerCase()
          : orderby === 'menu_order'
            ? (row.menu_order ?? 0)
            : row.date_created_gmt;
  rows.sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * direction;
  });
  if (cache.byQuery.size >= 16) cache.byQuery.clear();
  cache.byQuery.set(key, rows);
  return rows;
}

/** WordPress's global `_fields` parameter: only the named top-level fields of each item. */
function onlyFields(item: Row, query: Record<string, string>): Row {
  if (!query._fields) return item;
  const wanted = new Set(query._fields.split(',').map((field) => field.trim().split('.')[0]));
  return Object.fromEntries(Object.entries(item).filter(([key]) => wanted.has(key)));
}

function pickUserParams(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter(
      ([key]) => !key.startsWith('oauth_') && key !== 'consumer_key' && key !== 'consumer_secret',
    ),
  );
}

/** Parameters WordPress validates before a list runs (rest_validate_request_arg): each bad one named, 400. */
function refuseBadListParams(resource: Resource, query: Record<string, string>): void {
  const problems: Record<string, string> = {};
  const oneOf = (name: string, allowed: readonly string[]) => {
    if (query[name] !== undefined && !allowed.includes(query[name]))
      problems[name] = `${name} is not one of ${allowed.join(', ')}.`;
  };
  oneOf('orderby', ORDERBY[resource].value);
  oneOf('order', ORDER.value);
  if (resource === 'customers' && query.email !== undefined && !EMAIL.test(query.email))
    problems.email = EMAIL_FILTER.value;
  const names = Object.keys(problems);
  if (names.length > 0)
    throw new WcError('rest_invalid_param', `Invalid parameter(s): ${names.join(', ')}`, 400, problems);
}

function matches(resource: Resource, row: Row, query: Record<string, string>): boolean {
  // A parameter the resource's controller does not declare is ignored, as WordPress ignores it.
  const dated = DATE_FILTERED.value.includes(resource);
  const since = (value: string) => value.replace(/Z$/, '').slice(0, 19);
  if (dated && query.modified_after && !(row.date_modified_gmt > since(query.modified_after))) return false;
  if (dated && query.after && !(row.date_created_gmt > since(query.after))) return false;
  if (query.include && !query.include.split(',').map(Number).includes(row.id)) return false;
  if (query.search) {
    const text = JSON.stringify([
      row.name,
      row.email,
      row.first_name,
      row.last_name,
      row.sku,
      row.billing?.email,
    ]).toLowerCase();
    if (!text.includes(query.search.toLowerCase())) return false;
  }
  switch (resource) {
    case 'customers':
      if (query.email && row.email.toLowerCase() !== query.email.toLowerCase()) return false;
      if ((query.role ?? 'customer') !== 'all' && row.role !== (query.role ?? 'customer')) return false;
      return true;
    case 'products':
    case 'variations':
      if (query.sku && !query.sku.split(',').includes(row.sku)) return false;
      if (query.slug && row.slug !== query.slug) return false;
      if (!statusMatches(row.status, query.status)) return false;
      if (query.type && row.type !== query.type) return false;
      return true;
    case 'orders':
      if (!statusMatches(row.status, query.status)) return false;
      if (query.customer && row.customer_id !== Number(query.customer)) return false;
      return true;
  }
}

/** WordPress's `any` (the default) is every status but `trash`: trashed rows are listed only when asked for. */
function statusMatches(status: string, wanted: string | undefined): boolean {
  if (!wanted || wanted === 'any') return status !== 'trash';
  return wanted.split(',').includes(status);
}

/** A copy of the stored row, so a response never aliases the store; orders carry their number as text. */
function view(resource: Resource, row: Row): Row {
  return resource === 'orders' ? { ...row, number: String(row.number ?? row.id) } : { ...row };
}

/** `{create, update, delete}` ≤ 100 items in all; each item succeeds or fails on its own, inside HTTP 200. */
function batch(
  store: WooStore,
  resource: Resource,
  request: Row,
  parentId: number | undefined,
  /** Items refused before the store sees them (an image that cannot be downloaded). */
  refused: Map<Row, WcError>,
): Row {
  const creates = (request.create as Row[] | undefined) ?? [];
  const updates = (request.update as Row[] | undefined) ?? [];
  const deletes = (request.delete as (number | string)[] | undefined) ?? [];
  if (creates.length + updates.length + deletes.length > WOO_FACTS.batchLimit) {
    throw new WcError(
      'woocommerce_rest_request_entity_too_large',
      `Unable to accept more than ${WOO_FACTS.batchLimit} items for this request.`,
      413,
    );
  }
  const attempt = (id: number, fn: () => Row, item?: Row) => {
    try {
      const refusal = item && refused.get(item);
      if (refusal) throw refusal;
      return view(resource, fn());
    } catch (error) {
      const wc =
        error instanceof WcError ? error : new WcError('internal_error', (error as Error).message, 500);
      return { id, error: wc.body() };
    }
  };
  const response: Row = {};
  if (request.create)
    response.create = creates.map((item) => attempt(0, () => store.create(resource, item, parentId), item));
  if (request.update) {
    response.update = updates.map((item) =>
      attempt(
        Number(item.id ?? 0),
        () => {
          if (!item.id) throw new WcError('woocommerce_rest_invalid_id', 'Invalid ID.', 400);
          return store.update(resource, Number(item.id), item, parentId);
        },
        item,
      ),
    );
  }
  if (request.delete)
    response.delete = deletes.map((id) =>
      attempt(Number(id), () => store.remove(resource, Number(id), true, parentId)),
    );
  return response;
}
