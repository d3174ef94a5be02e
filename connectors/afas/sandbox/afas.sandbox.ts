import express, { type NextFunction, type Request, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import {
  listen,
  type RunningSandbox,
  sandboxApp,
  type SandboxCounters,
  type SandboxOptions,
  scalarText,
} from '../../../src/connectors';
import { AfasStore, ProfitError } from './afas.store';
import { getConnector } from './get-connectors';
import { profitOpenApi } from './profit-openapi';

type Row = Record<string, any>;

/** The sandbox's token: its `<data>` is this, and `Authorization: AfasToken <base64 of the XML>` carries it. */
export const AFAS_SANDBOX_TOKEN_DATA = '5A3F0C6D1E2B4A7980C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F6A7B8C9D0E1F2A3';

export function afasToken(data: string): string {
  return Buffer.from(`<token><version>1</version><data>${data}</data></token>`).toString('base64');
}

export interface AfasSandbox extends RunningSandbox {
  store: AfasStore;
  /** Requests and responses checked against the official OpenAPI files, and the first ones that failed. */
  validation(): { requests: number; responses: number; failures: string[] };
}

/**
 * AFAS Profit on 127.0.0.1 under /ProfitRestServices: `Authorization: AfasToken <base64>`; GetConnectors
 * (Profit_Debtor, Profit_Creditor, Profit_Article, Profit_Accounts, Profit_VAT_code, Profit_Journals and the
 * books' GetConnectors) with skip/take (100 by default, -1/-1 for all), `orderbyfieldids` (without one the
 * rows come back in an order that changes between calls, as Profit warns) and a filter triple; UpdateConnectors
 * KnSalesRelationOrg and KnPurchaseRelationOrg with a nested KnOrganisation (MatchOga), FbItemArticle, FiEntries
 * (booked only when balanced; read back through Profit_Transactions, Profit_Period_balance and the debtor and
 * creditor invoices); 500
 * bodies with `profitLogReference`; at most 5 concurrent calls (503 with `retry_after` beyond). Every request it
 * accepts and every response it sends is validated against AFAS's official OpenAPI files; a request that does
 * not validate is refused (400) and a response that does not is a failure the sandbox counts.
 */
export async function startAfasSandbox(
  options: SandboxOptions & { maxConcurrent?: number },
): Promise<AfasSandbox> {
  const store = new AfasStore(options.seed);
  const token = options.credentials?.token ?? afasToken(AFAS_SANDBOX_TOKEN_DATA);
  const counters: SandboxCounters = { requests: 0, writes: 0, throttled: 0 };
  const checked = { requests: 0, responses: 0, failures: [] as string[] };
  let inFlight = 0;
  const app = sandboxApp(options.latencyMs, counters);
  app.use(express.json({ limit: '20mb' }));

  app.use('/ProfitRestServices', (req: Request, res: Response, next: NextFunction) => {
    if (req.headers.authorization !== `AfasToken ${token}`) return res.status(401).end();
    if (inFlight >= (options.maxConcurrent ?? 5)) {
      counters.throttled++;
      return res.status(503).json({
        error: { code: '503', message: 'Too many simultaneous requests for this environment.' },
        retry_after: 1,
      });
    }
    inFlight++;
    res.on('close', () => inFlight--);
    next();
  });
  // Counts what the validator looks at: every request routed to a documented operation, every JSON reply.
  app.use('/ProfitRestServices', (_req: Request, res: Response, next: NextFunction) => {
    checked.requests++;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      checked.responses++;
      return json(body);
    };
    next();
  });
  app.use(
    OpenApiValidator.middleware({
      apiSpec: profitOpenApi() as never,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: {
        onError: (error, body, req) => {
          checked.failures.push(
            `response to ${req.method} ${req.originalUrl}: ${error.message} (${JSON.stringify(body).slice(0, 200)})`,
          );
        },
      },
      validateSecurity: false,
      // The files give some fields `"format": ""`: no format to check.
      validateFormats: false,
    }),
  );

  app.get('/ProfitRestServices/ProfitVersion', (_req: Request, res: Response) => {
    res.json({ version: '6.6.9' });
  });

  app.get('/ProfitRestServices/connectors/:id', (req: Request, res: Response) => {
    answer(res, () =>
      res.json(getConnector(store, scalarText(req.params.id), req.query as Record<string, string>)),
    );
  });

  const relation =
    (
      connector: 'KnSalesRelationOrg' | 'KnPurchaseRelationOrg',
      kind: 'debtor' | 'creditor',
      key: 'DbId' | 'CrId',
    ) =>
    (req: Request, res: Response) =>
      answer(res, () => {
        const element = elementOf(req.body as Row, connector);
        const fields = (element.Fields ?? {}) as Row;
        const orgElement = nested(element, 'KnOrganisation');
        const existing = req.method === 'PUT' ? scalarText(element[`@${key}`] ?? fields[key]) : undefined;
        const organisation = orgElement ? store.organisation((orgElement.Fields ?? {}) as Row) : undefined;
        const row = store.relation(kind, fields, organisation, existing || undefined);
        counters.writes++;
        res.status(201).json({ results: { [connector]: { [key]: row[key], BcCo: row.BcCo } } });
      });
  for (const [connector, kind, key] of [
    ['KnSalesRelationOrg', 'debtor', 'DbId'],
    ['KnPurchaseRelationOrg', 'creditor', 'CrId'],
  ] as const) {
    app.post(`/ProfitRestServices/connectors/${connector}`, relation(connector, kind, key));
    app.put(`/ProfitRestServices/connectors/${connector}`, relation(connector, kind, key));
  }

  const article = (req: Request, res: Response) =>
    answer(res, () => {
      const element = elementOf(req.body as Row, 'FbItemArticle');
      const fields = (element.Fields ?? {}) as Row;
      const existing = req.method === 'PUT' ? scalarText(element['@ItCd'] ?? fields.ItCd) : undefined;
      const row = store.article(fields, existing || undefined);
      counters.writes++;
      res.status(201).json({ results: { FbItemArticle: { ItCd: row.ItCd } } });
    });
  app.post('/ProfitRestServices/connectors/FiEntries', (req: Request, res: Response) =>
    answer(res, () => {
      const booked = store.ledger.book(elementOf(req.body as Row, 'FiEntryPar'));
      counters.writes++;
      res.status(201).json({ results: { FiEntryPar: booked } });
    }),
  );
  app.post('/ProfitRestServices/connectors/FbItemArticle', article);
  app.put('/ProfitRestServices/connectors/FbItemArticle', article);

  // The validator's refusals (400 for a request that breaks the files, 404/405 for an undocumented one), and Profit's own.
  app.use(
    (error: { status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
      const status = error.status ?? 500;
      if (status >= 500) checked.failures.push(error.message ?? 'an error without a message');
      res.status(status >= 500 ? 500 : status).json({
        externalMessage: error.message ?? 'An unexpected error has occurred.',
        errorNumber: -1,
        profitLogReference: '0'.repeat(32),
      });
    },
  );

  const running = await listen(
    app,
    options.port,
    options.host ?? '127.0.0.1',
    counters,
    () => counters.writes,
  );
  return {
    ...running,
    url: `${running.url}/ProfitRestServices`,
    store,
    validation: () => ({
      requests: checked.requests,
      responses: checked.responses,
      failures: [...checked.failures],
    }),
  };
}

/** Runs a handler; Profit's functional refusals become its 500 body. */
function answer(res: Response, work: () => void): void {
  try {
    work();
  } catch (error) {
    if (!(error instanceof ProfitError)) throw error;
    res.status(error.status).json(error.body());
  }
}

/** The connector's Element (an object, or the first of a list). */
function elementOf(body: Row, connector: string): Row {
  const element = (body?.[connector] as Row | undefined)?.Element as Row | Row[] | undefined;
  const one = Array.isArray(element) ? element[0] : element;
  if (!one) throw new ProfitError(500, `Het bericht bevat geen ${connector}-element.`);
  return one;
}

/** A nested object's first element: Objects is a list of `{Name: {Element}}` (or one such object). */
function nested(element: Row, name: string): Row | undefined {
  const objects = element.Objects as Row[] | Row | undefined;
  for (const object of Array.isArray(objects) ? objects : objects ? [objects] : []) {
    const inner = (object[name] as Row | undefined)?.Element as Row | Row[] | undefined;
    if (inner) return Array.isArray(inner) ? inner[0] : inner;
  }
  return undefined;
}
