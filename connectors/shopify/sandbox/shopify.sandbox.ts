import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { execute, GraphQLError, Kind, OperationTypeNode, parse, validate, type DocumentNode } from 'graphql';
import {
  listen,
  type RunningSandbox,
  scalarText,
  sandboxApp,
  type SandboxCounters,
  type SandboxOptions,
} from '../../../src/connectors';
import { SHOPIFY_FACTS } from '../shopify.facts';
import { API_VERSIONS, DEVELOPMENT_ORDERS, INPUT_ARRAY_MAX } from './shopify.contract';
import { actualCost, CostBucket, requestedCost } from './query-cost';
import { adminSchema } from './shopify-schema';
import { BulkQueries } from './bulk-operations';
import { SHOPIFY_CDN, startCdn } from './cdn';
import { buildRoot, fieldResolver, relations, typeResolver } from './shopify.resolvers';
import { ShopifyStore } from './shopify.store';

const INVALID_TOKEN = '[API] Invalid API key or access token (unrecognized login or wrong password)';

/**
 * The Shopify Admin GraphQL API on 127.0.0.1: `POST /admin/api/<version>/graphql.json` for 2025-01 and
 * later, `X-Shopify-Access-Token` auth, the official schema, cursor paging capped at 250, calculated
 * query cost with a leaky bucket, and the HTTP 200 `THROTTLED` body when `rateLimit` is on.
 */
export async function startShopifySandbox(
  options: SandboxOptions,
): Promise<RunningSandbox & { store: ShopifyStore }> {
  const token = options.credentials?.accessToken ?? SHOPIFY_FACTS.sandboxToken;
  const store = new ShopifyStore();
  if (options.seed) store.seed(options.seed);
  // The shop's oldest supported version, which the one schema is served as (see API_VERSIONS).
  const servedVersion = options.oldestVersion ?? API_VERSIONS.served;
  if (!API_VERSIONS.stable.test(servedVersion) || servedVersion < API_VERSIONS.served)
    throw new Error(
      `oldestVersion ${servedVersion}: a stable version (YYYY-01/04/07/10) from ${API_VERSIONS.served}`,
    );
  store.searchLagMs = options.searchLagMs ?? 0;
  const development = options.storePlan === 'development';
  if (development) store.shop.plan = { ...DEVELOPMENT_ORDERS.plan };
  /** When each order of the last minute was created: a development shop's limit. */
  const ordersCreatedAt: number[] = [];
  const counters: SandboxCounters = { requests: 0, writes: 0, throttled: 0 };
  const bucket = new CostBucket(SHOPIFY_FACTS.bucketSize, SHOPIFY_FACTS.restoreRate);
  const schema = adminSchema();
  const root = buildRoot(store);
  const resolve = fieldResolver(store);
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const bulk = new BulkQueries(schema, {
    rootValue: root.query,
    fieldResolver: resolve,
    typeResolver,
    related: relations(store),
  });
  Object.assign(root.mutation, {
    bulkOperationRunQuery: ({ query }: { query: string }) => bulk.start(query),
  });
  const findNode = root.query.node;
  Object.assign(root.query, {
    currentBulkOperation: () => bulk.current(),
    node: (args: { id: string }) => bulk.byId(args.id) ?? findNode(args),
  });

  const app = sandboxApp(options.latencyMs, counters);
  app.use((_req, res, next) => {
    res.setHeader('X-Request-Id', randomUUID());
    next();
  });
  app.use(express.json({ limit: '20mb' }));
  app.use(express.urlencoded({ extended: false }));

  // Client-credentials grant (JSON or form body), as the Dev Dashboard apps use.
  app.post('/admin/oauth/access_token', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (body.grant_type !== 'client_credentials' || !body.client_id || !body.client_secret) {
      res.status(400).json({
        error: 'invalid_request',
        error_description: 'grant_type, client_id and client_secret are required',
      });
      return;
    }
    res.json({
      access_token: token,
      scope: 'read_products,write_products,read_customers,write_customers,read_orders,write_orders',
      expires_in: 86399,
    });
  });

  // A bulk operation's result, where its signed URL points (no access token, as on Shopify's storage).
  app.get('/bulk-operations/:file', (req: Request, res: Response) => {
    const file = bulk.fileOf(String(req.params.file), scalarText(req.query.signature));
    if (!file) {
      res.status(403).type('application/xml').send('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.type('application/jsonl');
    res.sendFile(file);
  });

  app.post('/admin/api/:version/graphql.json', (req: Request, res: Response) => {
    // An older stable version falls forward to the one this sandbox serves; one it has no schema for is not served.
    const version = String(req.params.version);
    if (!API_VERSIONS.stable.test(version) || version > servedVersion) {
      res.status(404).json({ errors: 'Not Found' });
      return;
    }
    res.setHeader('X-Shopify-API-Version', servedVersion);
    if (req.header('X-Shopify-Access-Token') !== token) {
      res.status(401).json({ errors: INVALID_TOKEN });
      return;
    }
    const body = (req.body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      res.status(400).json({ errors: { query: 'Required parameter missing or invalid' } });
      return;
    }
    let document = documents.get(body.query);
    if (!document) {
      try {
        const parsed = parse(body.query);
        const errors = validate(schema, parsed);
        document = errors.length > 0 ? errors : parsed;
      } catch (error) {
        document = [error as GraphQLError];
      }
      if (documents.size > 500) documents.clear();
      documents.set(body.query, document);
    }
    if (Array.isArray(document)) {
      res.json({ errors: (document as readonly GraphQLError[]).map((error) => error.toJSON()) });
      return;
    }
    const variables = body.variables ?? {};
    const tooLong = longestInputArray(variables, []);
    if (tooLong) {
      res.json({
        errors: [
          {
            message: INPUT_ARRAY_MAX.message(tooLong.size),
            path: tooLong.path,
            extensions: { code: INPUT_ARRAY_MAX.code },
          },
        ],
      });
      return;
    }
    const cost = requestedCost(schema, document as DocumentNode, variables);
    if (cost > SHOPIFY_FACTS.maxQueryCost) {
      res.json({
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${SHOPIFY_FACTS.maxQueryCost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: SHOPIFY_FACTS.maxQueryCost },
          },
        ],
      });
      return;
    }
    if (options.rateLimit && cost > bucket.currentlyAvailable()) {
      counters.throttled++;
      res.json({
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        extensions: {
          cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() },
        },
      });
      return;
    }
    if (options.rateLimit) bucket.take(cost);
    const operation = (document as DocumentNode).definitions.find(
      (d) => d.kind === Kind.OPERATION_DEFINITION,
    );
    const isMutation =
      operation?.kind === Kind.OPERATION_DEFINITION && operation.operation === OperationTypeNode.MUTATION;
    const createsOrder = isMutation && /\borderCreate\s*\(/.test(body.query);
    if (development && createsOrder) {
      const now = Date.now();
      while (ordersCreatedAt.length > 0 && now - ordersCreatedAt[0] >= DEVELOPMENT_ORDERS.windowMs)
        ordersCreatedAt.shift();
      if (ordersCreatedAt.length >= DEVELOPMENT_ORDERS.perMinute) {
        counters.throttled++;
        const waitMs = ordersCreatedAt[0] + DEVELOPMENT_ORDERS.windowMs - now;
        res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
        res.status(429).json({ errors: DEVELOPMENT_ORDERS.message });
        return;
      }
    }
    const result = execute({
      schema,
      document: document as DocumentNode,
      rootValue: isMutation ? root.mutation : root.query,
      variableValues: variables,
      contextValue: { origin: `${req.protocol}://${req.get('host')}` },
      fieldResolver: resolve,
      typeResolver,
    }) as { data?: unknown; errors?: readonly GraphQLError[] };
    if (
      createsOrder &&
      (result.data as { orderCreate?: { order?: unknown } } | undefined)?.orderCreate?.order
    )
      ordersCreatedAt.push(Date.now());
    // Shopify reserves the requested cost and gives back what the answer did not use.
    const actual = isMutation ? cost : actualCost(schema, document as DocumentNode, variables, result.data);
    if (options.rateLimit) bucket.refund(cost - actual);
    res.json({
      ...(result.errors ? { errors: result.errors.map((error) => error.toJSON()) } : {}),
      data: result.data ?? null,
      extensions: {
        cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: bucket.status() },
      },
    });
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: 'Not Found' });
  });

  const running = await listen(app, options.port, options.host ?? '127.0.0.1', counters, () => store.writes);
  const cdn = await startCdn(options.host ?? '127.0.0.1');
  store.rehostMedia(SHOPIFY_CDN, cdn.url);
  return {
    ...running,
    store,
    close: async () => {
      await running.close();
      await Promise.all([bulk.close(), cdn.close()]);
    },
  };
}

/** The first input array longer than Shopify takes, with where it is in the variables. */
function longestInputArray(
  value: unknown,
  path: (string | number)[],
): { size: number; path: (string | number)[] } | null {
  if (Array.isArray(value)) {
    if (value.length > INPUT_ARRAY_MAX.items) return { size: value.length, path };
    for (const [index, item] of value.entries()) {
      const found = longestInputArray(item, [...path, index]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = longestInputArray(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
