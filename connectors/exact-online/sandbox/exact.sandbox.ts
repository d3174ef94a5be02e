import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  listen,
  type RunningSandbox,
  sandboxApp,
  type SandboxCounters,
  type SandboxOptions,
  scalarText,
} from '../../../src/connectors';
import { PAGE, type Resource, RESOURCES } from './exact.resources';
import { ExactError, ExactStore } from './exact.store';
import { FilterError, fieldsOf, matches, parseFilter, type Row } from './odata-filter';

/** The sandbox's default app and its first refresh token (documented in the README). */
export const EXACT_SANDBOX_CREDENTIALS = {
  clientId: 'exact-sandbox-client',
  clientSecret: 'exact-sandbox-secret',
  refreshToken: 'exact-sandbox-refresh-1',
};

export interface ExactSandboxOptions extends SandboxOptions {
  /** Calls a division may make a day (Exact: 5,000); enforced with `rateLimit` or when given. */
  dailyQuota?: number;
  /** How long an access token lives (Exact: 600 s). */
  tokenSeconds?: number;
  /** Calls a division may make a minute (Exact: 60). */
  minutelyLimit?: number;
}

export interface ExactSandbox extends RunningSandbox {
  store: ExactStore;
  /** Starts the next day: the daily quota is whole again. */
  rollDay(): void;
  /** Refresh tokens exchanged, and refreshes refused because the token was used already. */
  tokens(): { refreshed: number; reused: number };
  /** The app authorized again (Exact's consent screen): a fresh refresh token. */
  issueRefreshToken(): string;
}

const HOUR = 3_600_000;

/**
 * Exact Online on 127.0.0.1. OAuth 2 at `/api/oauth2/token` (10-minute access tokens; each refresh returns a
 * new refresh token and the one used is dead), `/api/v1/current/Me`, and per resource the standard endpoint
 * (60 a page, mandatory `$filter`), the bulk endpoint (1,000 a page, `$select` required) and the sync endpoint
 * (`Timestamp gt nL`, 1,000 a page), `sync/Deleted`; OData v2 JSON `{"d":{"results","__next"}}`, `/Date(ms)/`
 * dates, account codes right-aligned in 18 characters. With limits on: 60 calls a minute and the daily quota
 * per division, `X-RateLimit-*` headers, 429s, and an endpoint blocked for the hour after 10 errors.
 */
export async function startExactSandbox(options: ExactSandboxOptions): Promise<ExactSandbox> {
  const store = new ExactStore(options.seed);
  const client = {
    id: options.credentials?.clientId ?? EXACT_SANDBOX_CREDENTIALS.clientId,
    secret: options.credentials?.clientSecret ?? EXACT_SANDBOX_CREDENTIALS.clientSecret,
  };
  const refreshTokens = new Map<string, 'live' | 'used'>([
    [options.credentials?.refreshToken ?? EXACT_SANDBOX_CREDENTIALS.refreshToken, 'live'],
  ]);
  const accessTokens = new Map<string, number>();
  const tokenStats = { refreshed: 0, reused: 0 };
  const tokenMs = (options.tokenSeconds ?? 600) * 1000;
  const counters: SandboxCounters = { requests: 0, writes: 0, throttled: 0 };
  const limited = options.rateLimit === true || options.dailyQuota !== undefined;
  const quota = { daily: options.dailyQuota ?? 5000, minutely: options.minutelyLimit ?? 60 };
  const windows = { dayStart: Date.now(), day: 0, minuteStart: 0, minute: 0 };
  const errors = new Map<string, number[]>();

  const app = sandboxApp(options.latencyMs, counters);
  app.use(express.json({ limit: '10mb' }));
  app.use(express.urlencoded({ extended: false }));

  app.post('/api/oauth2/token', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (body.client_id !== client.id || body.client_secret !== client.secret)
      return res.status(400).json({ error: 'invalid_client' });
    if (body.grant_type !== 'refresh_token') return res.status(400).json({ error: 'unsupported_grant_type' });
    const state = refreshTokens.get(body.refresh_token ?? '');
    if (state !== 'live') {
      if (state === 'used') tokenStats.reused++;
      return res.status(400).json({ error: 'invalid_grant' });
    }
    refreshTokens.set(body.refresh_token, 'used');
    const refresh = `exact-refresh-${randomBytes(12).toString('hex')}`;
    const access = `exact-access-${randomBytes(12).toString('hex')}`;
    refreshTokens.set(refresh, 'live');
    accessTokens.set(access, Date.now() + tokenMs);
    tokenStats.refreshed++;
    // Exact sends expires_in as a string.
    res.json({
      access_token: access,
      token_type: 'bearer',
      expires_in: String(tokenMs / 1000),
      refresh_token: refresh,
    });
  });

  app.use('/api/v1', (req: Request, res: Response, next: NextFunction) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const expires = accessTokens.get(token);
    if (!expires || expires < Date.now())
      return fail(res, new ExactError(401, 'Unauthorized: the access token is missing, invalid or expired'));
    const endpoint = `${req.method} ${req.path.replace(/\(guid'[^']*'\)/, '')}`;
    const recent = (errors.get(endpoint) ?? []).filter((at) => at > Date.now() - HOUR);
    errors.set(endpoint, recent);
    if (recent.length >= 10) {
      counters.throttled++;
      return fail(
        res,
        new ExactError(
          429,
          `Too many errors: this app is blocked on ${endpoint} until ${new Date(recent[0] + HOUR).toISOString()}`,
        ),
      );
    }
    res.on('finish', () => {
      if ([400, 401, 403, 404].includes(res.statusCode)) errors.get(endpoint)!.push(Date.now());
    });
    if (limited && throttled(res)) return;
    next();
  });

  /** Exact's two windows per division: the day's quota and 60 calls a minute, both in every reply's headers. */
  function throttled(res: Response): boolean {
    const now = Date.now();
    if (now - windows.minuteStart >= 60_000) Object.assign(windows, { minuteStart: now, minute: 0 });
    const dayReset = windows.dayStart + 24 * HOUR;
    const minuteReset = windows.minuteStart + 60_000;
    const headers = () =>
      res.set({
        'X-RateLimit-Limit': String(quota.daily),
        'X-RateLimit-Remaining': String(Math.max(0, quota.daily - windows.day)),
        'X-RateLimit-Reset': String(dayReset),
        'X-RateLimit-Minutely-Limit': String(quota.minutely),
        'X-RateLimit-Minutely-Remaining': String(Math.max(0, quota.minutely - windows.minute)),
        'X-RateLimit-Minutely-Reset': String(minuteReset),
      });
    if (windows.day >= quota.daily || windows.minute >= quota.minutely) {
      counters.throttled++;
      headers();
      fail(
        res,
        new ExactError(
          429,
          windows.day >= quota.daily
            ? 'API limit exceeded: the daily limit of this division is reached'
            : 'API limit exceeded: the minutely limit of this division is reached',
        ),
      );
      return true;
    }
    windows.day++;
    windows.minute++;
    headers();
    return false;
  }

  app.get('/api/v1/current/Me', (req: Request, res: Response) => {
    const row = {
      __metadata: {
        uri: `${base(req)}/api/v1/current/Me(guid'00000000-0000-0000-0000-000000000001')`,
        type: 'Exact.Web.Api.System.Me',
      },
      CurrentDivision: store.division,
      UserID: '00000000-0000-0000-0000-000000000001',
      FullName: 'Sandbox User',
      DivisionCustomerName: 'Switchyard sandbox',
    };
    res.json({
      d: { results: [selected(row, req, ['CurrentDivision', 'UserID', 'FullName', 'DivisionCustomerName'])] },
    });
  });

  const division = (req: Request) => {
    if (Number(req.params.division) !== store.division)
      throw new ExactError(403, `Forbidden: no access to division ${scalarText(req.params.division)}`);
  };
  const handle = (work: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
    try {
      division(req);
      work(req, res);
    } catch (error) {
      fail(
        res,
        error instanceof ExactError
          ? error
          : error instanceof FilterError
            ? new ExactError(400, error.message)
            : new ExactError(500, String(error)),
      );
    }
  };

  // The divisions the user may reach (one here): its code, currency and name.
  app.get(
    '/api/v1/:division/system/Divisions',
    handle((req, res) => {
      const row: Row = {
        __metadata: {
          uri: `${base(req)}/api/v1/${store.division}/system/Divisions(${store.division})`,
          type: 'Exact.Web.Api.Models.System.Division',
        },
        Code: store.division,
        Currency: store.currency,
        Description: store.name,
        Country: 'NL',
      };
      const rows = filtered([row], (req.query as Record<string, string>).$filter, undefined, false);
      res.json({
        d: { results: rows.map((one) => ({ __metadata: one.__metadata, ...selected(one, req) })) },
      });
    }),
  );

  app.get(
    '/api/v1/:division/sync/Deleted',
    handle((req, res) => {
      const query = req.query as Record<string, string>;
      if (!query.$select)
        throw new ExactError(400, 'Please add a $select or a $top=1 statement to the query string');
      const rows = filtered(store.deletedRows(), query.$filter, ['Timestamp', 'EntityType'], true);
      page(req, res, rows, 'sync', 'Exact.Web.Api.Models.Sync.Deleted', 'Timestamp');
    }),
  );

  // What is still open per relation and invoice: read functions, no sync twin, no mandatory filter.
  for (const [path, kind] of [
    ['ReceivablesList', 'receivable'],
    ['PayablesList', 'payable'],
  ] as const)
    app.get(
      `/api/v1/:division/read/financial/${path}`,
      handle((req, res) => {
        const rows = filtered(
          store.openItems(kind),
          (req.query as Record<string, string>).$filter,
          undefined,
          false,
        );
        page(req, res, rows, 'bulk', `Exact.Web.Api.Models.Financial.${path.replace('List', '')}`, 'HID');
      }),
    );

  for (const resource of RESOURCES) {
    const one = `/api/v1/:division/${resource.standard}\\(guid':id'\\)`;
    app.get(
      `/api/v1/:division/${resource.standard}`,
      handle((req, res) => list(req, res, resource, 'standard')),
    );
    if (resource.bulk)
      app.get(
        `/api/v1/:division/${resource.bulk}`,
        handle((req, res) => list(req, res, resource, 'bulk')),
      );
    if (resource.sync)
      app.get(
        `/api/v1/:division/${resource.sync}`,
        handle((req, res) => list(req, res, resource, 'sync')),
      );
    app.get(
      one,
      handle((req, res) => {
        res.json({ d: shaped(req, resource, store.find(resource, String(req.params.id))) });
      }),
    );
    // Bookings are read, never written on their own.
    if (resource.readOnly) {
      app.all(
        [`/api/v1/:division/${resource.standard}`, one],
        handle(() => {
          throw new ExactError(405, `Method not allowed: ${resource.name} can only be read`);
        }),
      );
      continue;
    }
    app.post(
      `/api/v1/:division/${resource.standard}`,
      handle((req, res) => {
        const row = store.create(resource, (req.body ?? {}) as Row);
        counters.writes++;
        res.status(201).json({ d: shaped(req, resource, row, true) });
      }),
    );
    app.put(
      one,
      handle((req, res) => {
        store.update(resource, String(req.params.id), (req.body ?? {}) as Row);
        counters.writes++;
        res.status(204).end();
      }),
    );
    app.delete(
      one,
      handle((req, res) => {
        store.remove(resource, String(req.params.id));
        counters.writes++;
        res.status(204).end();
      }),
    );
  }

  function list(req: Request, res: Response, resource: Resource, kind: 'standard' | 'bulk' | 'sync'): void {
    const query = req.query as Record<string, string>;
    if (kind !== 'standard' && !query.$select && query.$top !== '1')
      throw new ExactError(400, 'Please add a $select or a $top=1 statement to the query string');
    if (kind === 'sync') {
      const rows = filtered([...store.table(resource).values()], query.$filter, ['Timestamp'], true);
      return page(req, res, rows, kind, resource.type, 'Timestamp', resource);
    }
    if (resource.sync && resource.mandatoryFilter && !query.$filter?.trim())
      throw new ExactError(
        400,
        `This endpoint has mandatory filtering applied. A GET request for this endpoint must have a $filter parameter with one of the following fields in the url:${resource.mandatoryFilter.join(',')}.`,
      );
    const rows = filtered(
      [...store.table(resource).values()],
      query.$filter,
      resource.mandatoryFilter,
      false,
    );
    page(req, res, rows, kind, resource.type, resource.key, resource);
  }

  /** Rows the filter keeps; only the fields `allowed` may be filtered on where Exact limits them. */
  function filtered(
    rows: Row[],
    filter: string | undefined,
    allowed: string[] | undefined,
    only: boolean,
  ): Row[] {
    if (!filter?.trim()) return rows;
    const node = parseFilter(filter);
    if (allowed && (only || allowed.length > 0)) {
      const refused = fieldsOf(node).filter((field) => !allowed.includes(field));
      if (refused.length > 0 && only)
        throw new ExactError(400, `Filtering on these fields is not supported: ${refused.join(', ')}`);
    }
    return rows.filter((row) => matches(node, row));
  }

  /** One page in key order after `$skiptoken`; `__next` carries the request on from the last row's key. */
  function page(
    req: Request,
    res: Response,
    rows: Row[],
    kind: 'standard' | 'bulk' | 'sync',
    type: string,
    order: string,
    resource?: Resource,
  ): void {
    const query = req.query as Record<string, string>;
    // Row versions and HIDs are Int64 (`…L` tokens); keys are guids.
    const numeric = order === 'Timestamp' || order === 'HID';
    const keyOf = (row: Row) => (numeric ? Number(row[order]) : String(row[order]));
    const sorted = rows.slice().sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    const token = query.$skiptoken;
    const after =
      token === undefined
        ? undefined
        : numeric
          ? Number(token.replace(/L$/, ''))
          : /guid'([^']+)'/.exec(token)?.[1];
    const rest = after === undefined ? sorted : sorted.filter((row) => keyOf(row) > after);
    const size = Math.min(PAGE[kind], query.$top ? Number(query.$top) : Infinity);
    const results = rest.slice(0, size);
    const more = rest.length > size && !query.$top;
    const last = results[results.length - 1];
    const next = new URL(`${base(req)}${req.originalUrl}`);
    if (last)
      next.searchParams.set(
        '$skiptoken',
        numeric ? `${String(last[order])}L` : `guid'${String(last[order])}'`,
      );
    res.json({
      d: {
        results: results.map((row) =>
          resource ? shaped(req, resource, row) : { __metadata: { uri: '', type }, ...selected(row, req) },
        ),
        ...(more ? { __next: next.toString() } : {}),
      },
    });
  }

  /** A row as the API returns it: `__metadata`, the `$select`ed fields, an invoice's lines deferred or expanded. */
  function shaped(req: Request, resource: Resource, row: Row, expand = false): Row {
    const uri = `${base(req)}/api/v1/${store.division}/${resource.standard}(guid'${String(row[resource.key])}')`;
    const full: Row = { __metadata: { uri, type: resource.type }, ...row };
    if (resource.name === 'SalesInvoices') {
      const expanded =
        expand ||
        String((req.query as Record<string, string>).$expand ?? '')
          .split(',')
          .includes('SalesInvoiceLines');
      full.SalesInvoiceLines = expanded
        ? {
            results: store.linesOf(String(row.InvoiceID)).map((line) => ({
              __metadata: { uri: '', type: 'Exact.Web.Api.Models.SalesInvoice.SalesInvoiceLine' },
              ...line,
            })),
          }
        : { __deferred: { uri: `${uri}/SalesInvoiceLines` } };
    }
    return { __metadata: full.__metadata, ...selected(full, req) };
  }

  function selected(row: Row, req: Request, known?: string[]): Row {
    const select = String((req.query as Record<string, string>).$select ?? '').trim();
    if (!select || select === '*') return row;
    const out: Row = {};
    for (const field of select.split(',').map((name) => name.trim())) {
      if (!(field in row) && !(known ?? []).includes(field))
        throw new ExactError(
          400,
          `No property '${field}' exists in type '${scalarText((row.__metadata as Row | undefined)?.type, 'the entity')}'`,
        );
      out[field] = row[field] ?? null;
    }
    return out;
  }

  const running = await listen(
    app,
    options.port,
    options.host ?? '127.0.0.1',
    counters,
    () => counters.writes,
  );
  return {
    ...running,
    store,
    rollDay: () => Object.assign(windows, { dayStart: Date.now(), day: 0 }),
    tokens: () => ({ ...tokenStats }),
    issueRefreshToken: () => {
      const refresh = `exact-refresh-${randomBytes(12).toString('hex')}`;
      refreshTokens.set(refresh, 'live');
      return refresh;
    },
  };
}

function base(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

/** Exact's error body. */
function fail(res: Response, error: ExactError): void {
  res.status(error.status).json({ error: { code: '', message: { lang: '', value: error.message } } });
}
