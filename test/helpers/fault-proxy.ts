import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What goes wrong between a connector and its platform:
 * - `lose-reply`: forwarded and saved by the platform, then the connection is reset (a proxy timeout);
 * - `502-after`: forwarded and saved, then a gateway's 502 page instead of the platform's answer;
 * - `cut-reply`: forwarded and saved, then a 200 whose body stops halfway (and ends cleanly);
 * - `reset-before` / `502-before`: never forwarded;
 * - `429`: never forwarded, `Retry-After: 1`;
 * - `slow`: forwarded after `slowMs`;
 * - `kill-after`: forwarded and answered by the platform, then `onFault` runs before the reply goes back
 *   (a kill matrix kills the client process there) and the connection is reset.
 */
export type Fault =
  'lose-reply' | '502-after' | 'cut-reply' | 'reset-before' | '502-before' | '429' | 'slow' | 'kill-after';

export interface FaultedRequest {
  method: string;
  path: string;
  body: string;
}

export interface FaultRule {
  /** Which requests the rule counts; the others pass untouched. */
  when: (request: FaultedRequest) => boolean;
  fault: Fault;
  /** Faults every n-th matching request (1: all of them); `offset` shifts which one. */
  every: number;
  offset?: number;
  /** Stops after this many faults. */
  limit?: number;
  slowMs?: number;
  onFault?: () => void;
}

/** A request the platform answered and the answer the client got, for suites that check both. */
export interface Exchange extends FaultedRequest {
  status: number;
  headers: IncomingMessage['headers'];
  response: string;
}

export interface FaultProxy {
  url: string;
  /** Faults injected so far, by kind. */
  injected: Record<string, number>;
  /** Writes the platform saved whose reply the client never saw. */
  lostAfterSave: number;
  /** Requests received, faulted or not. */
  requests: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a sandbox that injects faults by rule: what a hostile network does to a
 * migration. Requests are counted per rule in arrival order, so a run's faults are repeatable.
 */
export async function startFaultProxy(
  target: string,
  rules: FaultRule[],
  /** Sees every request passed through unfaulted, with the platform's answer. */
  onExchange?: (exchange: Exchange) => void,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen = rules.map(() => 0);
  const fired = rules.map(() => 0);
  const proxy: FaultProxy = {
    url: '',
    injected: {},
    lostAfterSave: 0,
    requests: 0,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          // The client's Host stays: OAuth 1.0a signs the URL the client saw.
          headers: req.headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const pass = (res: ServerResponse, answer: Awaited<ReturnType<typeof forward>>) => {
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      proxy.requests++;
      const seenRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') };
      let fault: FaultRule | undefined;
      rules.forEach((rule, index) => {
        if (fault || !rule.when(seenRequest)) return;
        seen[index]++;
        const n = seen[index] - (rule.offset ?? 0);
        const due = n > 0 && (n - 1) % rule.every === 0;
        if (due && (rule.limit === undefined || fired[index] < rule.limit)) {
          fired[index]++;
          fault = rule;
        }
      });
      if (fault) proxy.injected[fault.fault] = (proxy.injected[fault.fault] ?? 0) + 1;
      void handle(fault, req, res, body).catch(() => res.destroy());
    });
  });

  async function handle(
    rule: FaultRule | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ) {
    switch (rule?.fault) {
      case undefined: {
        const answer = await forward(req, body);
        onExchange?.({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          body: body.toString('utf8'),
          status: answer.status,
          headers: answer.headers,
          response: answer.body.toString('utf8'),
        });
        return pass(res, answer);
      }
      case 'reset-before':
        return void req.socket.destroy();
      case '502-before':
        res.writeHead(502, { 'content-type': 'text/html' });
        return void res.end('<html><body>502 Bad Gateway</body></html>');
      case '429':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return void res.end('{"message":"Too many requests"}');
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, rule.slowMs ?? 2000));
        return pass(res, await forward(req, body));
      case 'lose-reply': {
        await forward(req, body);
        proxy.lostAfterSave++;
        return void req.socket.destroy();
      }
      case '502-after': {
        await forward(req, body);
        proxy.lostAfterSave++;
        res.writeHead(502, { 'content-type': 'text/html' });
        return void res.end('<html><body>502 Bad Gateway: upstream timed out</body></html>');
      }
      case 'kill-after': {
        await forward(req, body);
        proxy.lostAfterSave++;
        rule.onFault?.();
        return void req.socket.destroy();
      }
      case 'cut-reply': {
        const answer = await forward(req, body);
        proxy.lostAfterSave++;
        const headers = { ...answer.headers };
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        res.writeHead(answer.status, headers);
        return void res.end(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** Requests that write: anything but GET, except a GraphQL POST that is not a mutation. */
export function isWrite(request: FaultedRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  if (request.path.includes('graphql')) return isMutation(request.body);
  if (request.path.includes('/batch/read') || request.path.includes('/search')) return false;
  if (request.path.includes('/composite/sobjects') && request.method === 'GET') return false;
  return true;
}

function isMutation(body: string): boolean {
  try {
    return /^\s*mutation\b/.test(String((JSON.parse(body) as { query?: unknown }).query));
  } catch {
    return false;
  }
}
