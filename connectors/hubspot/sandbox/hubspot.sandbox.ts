import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  listen,
  type RunningSandbox,
  sandboxApp,
  type SandboxCounters,
  type SandboxOptions,
  scalarText,
} from '../../../src/connectors';
import { HUBSPOT_FACTS, type HubSpotObjectType } from '../hubspot.facts';
import { HubSpotError, type HubSpotObject, HubSpotStore, isObjectType } from './hubspot.store';
import { searchObjects } from './hubspot.search';
import { ASSOCIATION_TYPES } from './hubspot.contract';

type Body = Record<string, any>;

/**
 * HubSpot CRM on 127.0.0.1: bearer private-app token; `/crm/v3/objects/{type}` list (after cursor, limit ≤100),
 * get (+idProperty), create, update, archive; batch read/create/update/upsert/archive (≤100, 207 with
 * per-input errors); search (≤200 a page, 10,000 cap); v4 associations (batch create/read/archive); properties;
 * owners; deal pipelines; account details. With rate limits on: 429 TEN_SECONDLY_ROLLING, DAILY, and the
 * search endpoints' secondly limit.
 */
export async function startHubSpotSandbox(
  options: SandboxOptions & { dailyLimit?: number },
): Promise<RunningSandbox & { store: HubSpotStore }> {
  const token = options.credentials?.accessToken ?? HUBSPOT_FACTS.sandboxAccessToken;
  const store = new HubSpotStore();
  if (options.seed) store.seed(options.seed);
  const counters: SandboxCounters = { requests: 0, writes: 0, throttled: 0 };
  const windows = { tenSecondly: [] as number[], search: [] as number[], daily: 0 };

  const app = sandboxApp(options.latencyMs, counters);
  // HubSpot takes list parameters repeated (`properties=a&properties=b`, as the SDK sends them) or comma-joined.
  app.set('query parser', (query: string) => {
    const params = new URLSearchParams(query);
    return Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key).join(',')]));
  });
  app.use(express.json({ limit: '20mb' }));

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(
        res,
        new HubSpotError(
          401,
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        ),
      );
    }
    if (options.rateLimit && throttled(req, res)) return;
    next();
  });

  /** Rolling windows per the usage guidelines; search has its own 5/s and sends no rate headers. */
  function throttled(req: Request, res: Response): boolean {
    const now = Date.now();
    const refuse = (message: string, policyName?: string) => {
      counters.throttled++;
      res.status(429).json({
        status: 'error',
        message,
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        ...(policyName ? { policyName } : {}),
      });
      return true;
    };
    if (req.path.endsWith('/search')) {
      while (windows.search.length > 0 && windows.search[0] <= now - 1000) windows.search.shift();
      if (windows.search.length >= HUBSPOT_FACTS.searchPerSecond)
        return refuse('You have reached your secondly limit.');
      windows.search.push(now);
      return false;
    }
    const daily = options.dailyLimit ?? options.dailyQuota ?? HUBSPOT_FACTS.dailyLimit;
    if (windows.daily >= daily) return refuse('You have reached your daily limit.', 'DAILY');
    while (windows.tenSecondly.length > 0 && windows.tenSecondly[0] <= now - 10_000)
      windows.tenSecondly.shift();
    res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', '10000');
    res.setHeader('X-HubSpot-RateLimit-Max', String(HUBSPOT_FACTS.tenSecondlyLimit));
    res.setHeader('X-HubSpot-RateLimit-Daily', String(daily));
    if (windows.tenSecondly.length >= HUBSPOT_FACTS.tenSecondlyLimit) {
      res.setHeader('X-HubSpot-RateLimit-Remaining', '0');
      return refuse('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING');
    }
    windows.tenSecondly.push(now);
    windows.daily++;
    res.setHeader(
      'X-HubSpot-RateLimit-Remaining',
      String(HUBSPOT_FACTS.tenSecondlyLimit - windows.tenSecondly.length),
    );
    res.setHeader('X-HubSpot-RateLimit-Daily-Remaining', String(daily - windows.daily));
    return false;
  }

  /** An object type from a path segment; anything else is refused as HubSpot does. */
  const objectType = (value: unknown): HubSpotObjectType => {
    const name = scalarText(value);
    if (!isObjectType(name))
      throw new HubSpotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${name}`);
    return name;
  };
  const type = (req: Request) => objectType(req.params.type);
  const pair = (req: Request) => [objectType(req.params.from), objectType(req.params.to)] as const;
  /** The record a path names, by id or by `?idProperty=`; 404 as HubSpot words it when there is none. */
  const existing = (req: Request, t: HubSpotObjectType): HubSpotObject => {
    const idProperty = req.query.idProperty ? scalarText(req.query.idProperty) : undefined;
    const found = store.find(t, String(req.params.id), idProperty);
    if (!found)
      throw new HubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
    return found;
  };
  /** Create-with-associations: `associations: [{to: {id}, types: [{associationTypeId}]}]`. */
  const linkCreated = (t: HubSpotObjectType, id: string, links: unknown) => {
    for (const link of (links ?? []) as Body[])
      store.associate(
        t,
        id,
        associationTarget(t, link),
        String(link.to?.id),
        link.types?.[0]?.associationTypeId,
      );
  };
  const wanted = (value: unknown): string[] | undefined =>
    typeof value === 'string' && value !== ''
      ? value.split(',')
      : Array.isArray(value)
        ? (value as string[])
        : undefined;
  const inputs = (body: Body): Body[] => {
    const list = body?.inputs;
    if (!Array.isArray(list))
      throw new HubSpotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: inputs is required');
    if (list.length > HUBSPOT_FACTS.batchLimit)
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        `Batch input limit exceeded: ${list.length} inputs, at most ${HUBSPOT_FACTS.batchLimit} allowed`,
      );
    return list as Body[];
  };
  const withAssociations = (t: HubSpotObjectType, object: HubSpotObject, shaped: Body, to?: string[]) => {
    if (!to) return shaped;
    const associations: Body = {};
    for (const other of to.filter(isObjectType)) {
      const linked = store.associated(t, object.id, other);
      if (linked.length > 0)
        associations[other] = {
          results: linked.flatMap(([id, typeIds]) =>
            typeIds.map(() => ({ id, type: `${t.replace(/s$/, '')}_to_${other.replace(/s$/, '')}` })),
          ),
        };
    }
    return Object.keys(associations).length > 0 ? { ...shaped, associations } : shaped;
  };

  const route = (handler: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
    try {
      handler(req, res);
    } catch (error) {
      send(res, error);
    }
  };

  // ---- objects ---------------------------------------------------------------------------------------------
  app.get(
    '/crm/v3/objects/:type',
    route((req, res) => {
      const t = type(req);
      const limit = Number(req.query.limit ?? HUBSPOT_FACTS.defaultPageSize);
      if (!Number.isInteger(limit) || limit < 1 || limit > HUBSPOT_FACTS.maxPageSize)
        throw new HubSpotError(
          400,
          'VALIDATION_ERROR',
          `limit must be between 1 and ${HUBSPOT_FACTS.maxPageSize}`,
        );
      const all = store.list(t, req.query.archived === 'true').sort((a, b) => Number(a.id) - Number(b.id));
      const after = req.query.after ? scalarText(req.query.after) : undefined;
      const start = after ? all.findIndex((o) => Number(o.id) >= Number(after)) : 0;
      const from = start === -1 ? all.length : start;
      const page = all.slice(from, from + limit);
      const next = all[from + limit];
      json(res, 200, {
        results: page.map((o) =>
          withAssociations(
            t,
            o,
            store.shape(t, o, wanted(req.query.properties)),
            wanted(req.query.associations),
          ),
        ),
        ...(next ? { paging: { next: { after: next.id, link: `?after=${next.id}` } } } : {}),
      });
    }),
  );

  app.get(
    '/crm/v3/objects/:type/:id',
    route((req, res) => {
      const t = type(req);
      const found = existing(req, t);
      json(
        res,
        200,
        withAssociations(
          t,
          found,
          store.shape(t, found, wanted(req.query.properties)),
          wanted(req.query.associations),
        ),
      );
    }),
  );

  app.post(
    '/crm/v3/objects/:type',
    route((req, res) => {
      const t = type(req);
      const body = req.body as Body;
      const made = store.create(t, (body.properties ?? {}) as Body);
      linkCreated(t, made.id, body.associations);
      json(res, 201, store.shape(t, made, Object.keys(made.properties)));
    }),
  );

  app.patch(
    '/crm/v3/objects/:type/:id',
    route((req, res) => {
      const t = type(req);
      const found = existing(req, t);
      const updated = store.update(t, found, ((req.body as Body).properties ?? {}) as Body);
      json(res, 200, store.shape(t, updated, Object.keys(updated.properties)));
    }),
  );

  app.delete(
    '/crm/v3/objects/:type/:id',
    route((req, res) => {
      store.archive(type(req), String(req.params.id));
      res.status(204).end();
    }),
  );

  // ---- batch -------------------------------------------------------------------------------------------------
  app.post(
    '/crm/v3/objects/:type/batch/read',
    route((req, res) => {
      const t = type(req);
      const body = req.body as Body;
      const results: Body[] = [];
      const errors: Body[] = [];
      for (const input of inputs(body)) {
        const found = store.find(t, String(input.id), body.idProperty as string | undefined);
        if (found) results.push(store.shape(t, found, wanted(body.properties)));
        else
          errors.push(
            standardError(
              404,
              'OBJECT_NOT_FOUND',
              `Could not get some ${t} objects, they may be deleted or not exist.`,
              { ids: [String(input.id)] },
            ),
          );
      }
      batchReply(res, results, errors, 200);
    }),
  );

  app.post(
    '/crm/v3/objects/:type/batch/create',
    route((req, res) => {
      const t = type(req);
      const list = inputs(req.body as Body);
      // A batch create is all or nothing: validate every input and link before writing any.
      for (const input of list) {
        store.checkCreate(t, (input.properties ?? {}) as Body);
        for (const link of (input.associations ?? []) as Body[])
          store.checkLink(associationTarget(t, link), String(link.to?.id));
      }
      const made = list.map((input) => store.create(t, (input.properties ?? {}) as Body));
      list.forEach((input, i) => linkCreated(t, made[i].id, input.associations));
      batchReply(
        res,
        made.map((o) => store.shape(t, o, Object.keys(o.properties))),
        [],
        201,
      );
    }),
  );

  app.post(
    '/crm/v3/objects/:type/batch/update',
    route((req, res) => {
      const t = type(req);
      const body = req.body as Body;
      const results: Body[] = [];
      const errors: Body[] = [];
      for (const input of inputs(body)) {
        const found = store.find(
          t,
          String(input.id),
          (input.idProperty ?? body.idProperty) as string | undefined,
        );
        if (!found) {
          errors.push(
            standardError(404, 'OBJECT_NOT_FOUND', `No ${t} with id ${String(input.id)}`, {
              ids: [String(input.id)],
            }),
          );
          continue;
        }
        try {
          const updated = store.update(t, found, (input.properties ?? {}) as Body);
          results.push(store.shape(t, updated, Object.keys(updated.properties)));
        } catch (error) {
          errors.push(asStandard(error, String(input.id)));
        }
      }
      batchReply(res, results, errors, 200);
    }),
  );

  app.post(
    '/crm/v3/objects/:type/batch/upsert',
    route((req, res) => {
      const t = type(req);
      const list = inputs(req.body as Body);
      const results: Body[] = [];
      const errors: Body[] = [];
      for (const input of list) {
        const idProperty = String(input.idProperty ?? '');
        if (!idProperty) throw new HubSpotError(400, 'VALIDATION_ERROR', 'idProperty is required for upsert');
        try {
          const found = store.find(t, String(input.id), idProperty);
          const properties = { ...(input.properties as Body), [idProperty]: String(input.id) };
          const object = found ? store.update(t, found, properties) : store.create(t, properties);
          results.push({ ...store.shape(t, object, Object.keys(object.properties)), new: !found });
        } catch (error) {
          if (
            error instanceof HubSpotError &&
            error.status === 400 &&
            error.message.startsWith(`${idProperty} is not`)
          )
            throw error;
          errors.push(asStandard(error, String(input.id)));
        }
      }
      batchReply(res, results, errors, 200);
    }),
  );

  app.post(
    '/crm/v3/objects/:type/batch/archive',
    route((req, res) => {
      const t = type(req);
      for (const input of inputs(req.body as Body)) store.archive(t, String(input.id));
      res.status(204).end();
    }),
  );

  app.post(
    '/crm/v3/objects/:type/search',
    route((req, res) => {
      json(res, 200, searchObjects(store, type(req), req.body as Body));
    }),
  );

  // ---- associations v4 ------------------------------------------------------------------------------------
  app.put(
    '/crm/v4/objects/:from/:fromId/associations/default/:to/:toId',
    route((req, res) => {
      const [from, to] = pair(req);
      store.associate(from, String(req.params.fromId), to, String(req.params.toId));
      json(res, 200, {
        status: 'COMPLETE',
        results: [{ from: { id: req.params.fromId }, to: { id: req.params.toId } }],
      });
    }),
  );

  app.get(
    '/crm/v4/objects/:from/:fromId/associations/:to',
    route((req, res) => {
      const [from, to] = pair(req);
      json(res, 200, {
        results: store
          .associated(from, String(req.params.fromId), to)
          .map(([id, types]) => toAssociation(id, types)),
      });
    }),
  );

  app.post(
    '/crm/v4/associations/:from/:to/batch/create',
    route((req, res) => {
      const [from, to] = pair(req);
      const results: Body[] = [];
      const errors: Body[] = [];
      for (const input of inputs(req.body as Body)) {
        try {
          const typeId = (input.types as Body[] | undefined)?.[0]?.associationTypeId as number | undefined;
          store.associate(from, String(input.from?.id), to, String(input.to?.id), typeId);
          results.push({
            fromObjectTypeId: from,
            fromObjectId: String(input.from?.id),
            toObjectTypeId: to,
            toObjectId: String(input.to?.id),
            labels: [],
          });
        } catch (error) {
          errors.push(asStandard(error, String(input.from?.id)));
        }
      }
      batchReply(res, results, errors, 201);
    }),
  );

  app.post(
    '/crm/v4/associations/:from/:to/batch/read',
    route((req, res) => {
      const [from, to] = pair(req);
      const results = inputs(req.body as Body)
        .map((input) => ({ id: String(input.id), linked: store.associated(from, String(input.id), to) }))
        .filter(({ linked }) => linked.length > 0)
        .map(({ id, linked }) => ({
          from: { id },
          to: linked.map(([toId, types]) => toAssociation(toId, types)),
        }));
      batchReply(res, results, [], 200);
    }),
  );

  app.post(
    '/crm/v4/associations/:from/:to/batch/archive',
    route((req, res) => {
      const [from, to] = pair(req);
      for (const input of inputs(req.body as Body))
        for (const target of (input.to ?? []) as Body[])
          store.dissociate(from, String(input.from?.id), to, String(target.id));
      res.status(204).end();
    }),
  );

  // ---- account, pipelines, properties and owners ------------------------------------------------------------------------------
  app.get(
    '/account-info/v3/details',
    route((_req, res) => {
      json(res, 200, {
        portalId: 1_000_001,
        accountType: 'SANDBOX',
        timeZone: 'Europe/Amsterdam',
        companyCurrency: store.currency,
        additionalCurrencies: [],
        utcOffset: '+01:00',
        utcOffsetMilliseconds: 3_600_000,
        uiDomain: 'app.hubspot.com',
        dataHostingLocation: 'eu1',
      });
    }),
  );
  app.get(
    '/crm/v3/pipelines/deals',
    route((_req, res) => {
      json(res, 200, { results: store.dealPipelines });
    }),
  );
  app.get(
    '/crm/v3/properties/:type',
    route((req, res) => {
      json(res, 200, { results: [...store.definitions(type(req)).values()] });
    }),
  );
  app.post(
    '/crm/v3/properties/:type',
    route((req, res) => {
      json(res, 201, store.defineProperty(type(req), req.body as Body));
    }),
  );
  app.get(
    '/crm/v3/properties/:type/:name',
    route((req, res) => {
      const found = store.definitions(type(req)).get(String(req.params.name));
      if (!found)
        throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to find property ${String(req.params.name)}`);
      json(res, 200, found);
    }),
  );
  app.get(
    '/crm/v3/owners',
    route((req, res) => {
      const limit = Math.min(Number(req.query.limit ?? 100), 500);
      const email = req.query.email ? scalarText(req.query.email).toLowerCase() : undefined;
      const all = store.owners.filter((o) => !o.archived && (!email || o.email.toLowerCase() === email));
      const start = req.query.after ? Number(req.query.after) : 0;
      const page = all
        .slice(start, start + limit)
        // An owner is a user (PERSON) or a queue (QUEUE): PublicOwner.type in the official models.
        .map((o) => ({
          type: 'PERSON',
          ...o,
          createdAt: '2020-01-01T00:00:00.000Z',
          updatedAt: '2020-01-01T00:00:00.000Z',
        }));
      json(res, 200, {
        results: page,
        ...(start + limit < all.length
          ? { paging: { next: { after: String(start + limit), link: `?after=${start + limit}` } } }
          : {}),
      });
    }),
  );

  app.use((req: Request, res: Response) =>
    send(res, new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unknown path ${req.method} ${req.path}`)),
  );

  const running = await listen(app, options.port, options.host ?? '127.0.0.1', counters, () => store.writes);
  return { ...running, store };
}

function associationTarget(from: HubSpotObjectType, link: Body): HubSpotObjectType {
  const typeId = link.types?.[0]?.associationTypeId as number;
  const pair = Object.entries(ASSOCIATION_TYPES).find(
    ([key, ids]) => ids.includes(typeId) && key.startsWith(`${from}→`),
  );
  if (!pair)
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      `association type ${String(typeId)} is not defined from ${from}`,
    );
  return pair[0].split('→')[1] as HubSpotObjectType;
}

function toAssociation(id: string, types: number[]) {
  return {
    toObjectId: id,
    associationTypes: types.map((typeId) => ({ category: 'HUBSPOT_DEFINED', typeId, label: null })),
  };
}

function json(res: Response, status: number, body: unknown): void {
  // The SDK's deserialiser needs the content type on every JSON answer.
  res.status(status).type('application/json').send(JSON.stringify(body));
}

function batchReply(res: Response, results: Body[], errors: Body[], okStatus: number): void {
  const now = new Date().toISOString();
  json(res, errors.length > 0 ? 207 : okStatus, {
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    startedAt: now,
    completedAt: now,
  });
}

function standardError(
  status: number,
  category: string,
  message: string,
  context: Record<string, string[]>,
): Body {
  return { status: 'error', category, message, context, errors: [], links: {} };
}

function asStandard(error: unknown, id: string): Body {
  if (error instanceof HubSpotError)
    return {
      ...standardError(error.status, error.category, error.message, { ids: [id] }),
      errors: error.errors,
    };
  throw error;
}

function send(res: Response, error: unknown): void {
  if (!(error instanceof HubSpotError)) {
    res.status(500).json({
      status: 'error',
      message: 'internal error',
      correlationId: randomUUID(),
      category: 'INTERNAL_ERROR',
    });
    return;
  }
  json(res, error.status, {
    status: 'error',
    message: error.message,
    correlationId: randomUUID(),
    category: error.category,
    // Each detail as the Error schema's ErrorDetail: its message, its code and the property it is `in`
    // (the legacy detail objects travel inside `message`, as HubSpot sends them).
    ...(error.errors.length > 0
      ? {
          errors: error.errors.map((detail) => ({
            message: detail.message,
            ...(detail.error ? { code: detail.error } : {}),
            ...(detail.name ? { in: detail.name } : {}),
          })),
        }
      : {}),
    ...(error.context ? { context: error.context } : {}),
  });
}
