import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { RunningSandbox } from '../connectors/connector.registry';

/** What every sandbox counts, so tests and benchmarks can check writes and refusals. */
export interface SandboxCounters {
  requests: number;
  writes: number;
  throttled: number;
  /** Requests per route (`POST /crm/v3/objects/:id/batch/upsert`), to tell what a run's calls were for. */
  routes?: Record<string, number>;
}

/**
 * When the store was being written: from the start of the first request that wrote to the end of the last, and
 * how many requests were made in that time. A benchmark measures a rate budget's use over it, not over the
 * minutes a migration spends reading its source first.
 */
export interface WriteWindow {
  firstWriteAt: number;
  lastWriteAt: number;
  requests: number;
}

/** A path with its ids and numbers folded, so calls to one route count together. */
const routeOf = (method: string, path: string) => `${method} ${path.replace(/\/(?=[^/]*\d)[^/]+/g, '/:id')}`;

/** An express app on 127.0.0.1 with optional latency; each platform adds its own routes. */
export function sandboxApp(latencyMs = 0, counters: SandboxCounters): Express {
  const app = express();
  app.disable('x-powered-by');
  // Express would hash every response for an ETag of its own making, which emulates no platform's caching and
  // which no connector asks about (If-None-Match): about 2% of the WooCommerce sandbox's CPU in a 100k run.
  app.disable('etag');
  // WooCommerce's SDK repeats query parameters; keep one value per key as PHP does.
  app.set('query parser', (query: string) => Object.fromEntries(new URLSearchParams(query)));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    counters.requests++;
    const route = routeOf(req.method, req.path);
    (counters.routes ??= {})[route] = (counters.routes[route] ?? 0) + 1;
    if (latencyMs > 0) setTimeout(next, latencyMs);
    else next();
  });
  return app;
}

export function listen(
  app: Express,
  port: number,
  host: string,
  counters: SandboxCounters,
  writes: () => number,
): Promise<RunningSandbox> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host);
    let window: WriteWindow | undefined;
    let requestsBeforeWindow = 0;
    // Ahead of express, so the writes a request makes are seen between its start and its answer.
    server.prependListener('request', (_req, res) => {
      const startedAt = Date.now();
      const before = writes();
      const requestsBefore = counters.requests;
      res.once('finish', () => {
        if (writes() === before) return;
        if (!window) requestsBeforeWindow = requestsBefore;
        window ??= { firstWriteAt: startedAt, lastWriteAt: 0, requests: 0 };
        window.lastWriteAt = Date.now();
        window.requests = counters.requests - requestsBeforeWindow;
      });
    });
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        counters: () => ({
          requests: counters.requests,
          throttled: counters.throttled,
          writes: writes(),
          routes: { ...counters.routes },
          ...(window ? { writeWindow: { ...window } } : {}),
        }),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
