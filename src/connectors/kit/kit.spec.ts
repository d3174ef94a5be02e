/* eslint-disable @typescript-eslint/require-await -- the fakes answer at once, as async platforms do */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SwitchyardError } from '../../common/errors';
import type { LoadItem } from '../connector.port';
import { type BatchTarget, type ItemAnswer, previewBatch, writeBatch } from './batch-writer';
import { DailyQuota } from './daily-quota';
import { linkHeaderPages, odataPages, offsetPages, skipTakePages } from './paginators';
import { JsonHttp, type PlatformProtocol, Requester } from './requester';
import { localLimiter } from './local-limiter';
import { RollingWindow } from './rolling-window';
import { Totals } from './totals';

const PROTOCOL: PlatformProtocol = {
  name: 'Test platform',
  credentials: 'token',
  authHint: 'check credentials.token',
  errorOf: (body) => ({ message: (body as { error?: { message?: string } } | undefined)?.error?.message }),
};

describe('requester', () => {
  let server: Server;
  let url: string;
  const hits: Record<string, number> = {};
  beforeAll(async () => {
    const app = express();
    app.use((req, _res, next) => {
      hits[req.path] = (hits[req.path] ?? 0) + 1;
      next();
    });
    app.get('/throttled', (_req, res) => {
      if (hits['/throttled'] === 1)
        res
          .status(429)
          .set('retry-after', '1')
          .json({ error: { message: 'slow down' } });
      else res.json({ ok: true });
    });
    app.post('/lost', (_req, res) => {
      res.status(502).send('<html>bad gateway</html>');
    });
    app.get('/auth', (_req, res) => {
      res.status(401).json({ error: { message: 'token expired' } });
    });
    app.get('/refused', (_req, res) => {
      res.status(400).json({ error: { message: 'Code is required' } });
    });
    app.get('/quota', (_req, res) => {
      res.set({ 'x-quota-left': '0', 'x-quota-reset': String(Date.now() + 3_600_000) }).json({});
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("waits the platform's Retry-After on a 429 and then answers", async () => {
    const http = new JsonHttp(url);
    const requester = new Requester(PROTOCOL);
    const started = Date.now();
    await expect(
      requester.call('GET /throttled', () => http.send({ method: 'get', path: '/throttled' })),
    ).resolves.toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requester.stats).toMatchObject({ calls: 2, errors: 1, throttleWaits: 1, throttleWaitMs: 1000 });
  });

  it('never sends a write twice: a 5xx makes its outcome unknown', async () => {
    const requester = new Requester(PROTOCOL);
    const http = new JsonHttp(url);
    await expect(
      requester.call('POST /lost', () => http.send({ method: 'post', path: '/lost', data: {} }), {
        write: true,
      }),
    ).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(hits['/lost']).toBe(1);
  });

  it("names refused credentials with what to check, and a refusal with the platform's words", async () => {
    const requester = new Requester(PROTOCOL);
    const http = new JsonHttp(url);
    await expect(
      requester.call('GET /auth', () => http.send({ method: 'get', path: '/auth' })),
    ).rejects.toMatchObject({
      code: 'PLATFORM_AUTH',
      message: 'Test platform refused the token (token expired); check credentials.token',
    });
    await expect(
      requester.call('GET /refused', () => http.send({ method: 'get', path: '/refused' })),
    ).rejects.toMatchObject({
      code: 'PLATFORM_REJECTED',
      message: 'GET /refused → HTTP 400: Code is required',
    });
    expect(hits['/refused']).toBe(1);
  });

  it('stops before a call once the daily quota is used up, saying when it comes back', async () => {
    const quota = new DailyQuota('Test platform', {
      remaining: 'x-quota-left',
      reset: 'x-quota-reset',
      resetUnit: 'ms',
    });
    const requester = new Requester(PROTOCOL, { quota });
    const http = new JsonHttp(url);
    await requester.call('GET /quota', () => http.send({ method: 'get', path: '/quota' }));
    const error = await requester
      .call('GET /quota', () => http.send({ method: 'get', path: '/quota' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: 'PLATFORM_QUOTA' });
    expect((error as Error).message).toContain(quota.resumesAt!.toISOString());
    expect(hits['/quota']).toBe(1);
  });
});

describe('paginators', () => {
  it('follows OData __next until absent, resuming from a cursor', async () => {
    const pages: Record<string, { results: number[]; next?: string }> = {
      first: { results: [1, 2], next: 'second' },
      second: { results: [3], next: 'third' },
      third: { results: [] },
    };
    const read = async (cursor: string | null) => {
      const seen = [];
      for await (const page of odataPages({ first: 'first', cursor, fetch: async (u) => pages[u] }))
        seen.push(page);
      return seen;
    };
    expect(await read(null)).toEqual([
      { records: [1, 2], nextCursor: 'second' },
      { records: [3], nextCursor: 'third' },
      { records: [], nextCursor: null },
    ]);
    expect((await read('second')).flatMap((page) => page.records)).toEqual([3]);
  });

  it('refuses skip/take without an order, and stops on a short page (an exact multiple reads one empty page)', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => i);
    const calls: number[] = [];
    const fetch = async (skip: number, take: number) => {
      calls.push(skip);
      return rows.slice(skip, skip + take);
    };
    await expect(skipTakePages({ take: 3, orderBy: '', cursor: null, fetch }).next()).rejects.toMatchObject({
      code: 'MAPPING_INVALID',
    });
    const seen: number[] = [];
    for await (const page of skipTakePages({ take: 3, orderBy: 'Id', cursor: null, fetch }))
      seen.push(...page.records);
    expect(seen).toEqual(rows);
    expect(calls).toEqual([0, 3, 6]);
  });

  it('reads the next URL from a Link header', async () => {
    const links: Record<string, string | undefined> = {
      a: '<b>; rel="next", <a>; rel="previous"',
      b: undefined,
    };
    const seen: string[] = [];
    for await (const page of linkHeaderPages({
      first: 'a',
      cursor: null,
      fetch: async (u) => ({ records: [u], link: links[u] }),
    }))
      seen.push(...page.records);
    expect(seen).toEqual(['a', 'b']);
  });
});

describe('offset pages', () => {
  it('pages records in hand from a cursor: an empty set is one empty page, an exact multiple ends on its last', () => {
    const pages = (all: number[], cursor: string | null) => [...offsetPages(all, cursor, 2)];
    expect(pages([], null)).toEqual([{ records: [], nextCursor: null }]);
    expect(pages([1, 2, 3, 4], null)).toEqual([
      { records: [1, 2], nextCursor: '2' },
      { records: [3, 4], nextCursor: null },
    ]);
    expect(pages([1, 2, 3], '2')).toEqual([{ records: [3], nextCursor: null }]);
  });
});

describe('totals', () => {
  it('adds decimals by key exactly, to the cent, leaving out what sums to zero', () => {
    const totals = new Totals();
    totals.add('1300', '0.1');
    totals.add('1300', 0.2);
    totals.add('8000', '-12.34');
    totals.add('0999', '5');
    totals.add('0999', '-5.00');
    expect(totals.toRecord()).toEqual({ '1300': '0.30', '8000': '-12.34' });
  });
});

describe('batch writer', () => {
  const items = (n: number): LoadItem[] =>
    Array.from({ length: n }, (_, i) => ({ sourceId: `s${i}`, payload: { code: `C${i}` } }));

  it('chunks to the cap and sends a refused batch again one record at a time', async () => {
    const calls: number[] = [];
    const target: BatchTarget = {
      cap: 3,
      match: async (batch) => batch.map(() => undefined),
      create: async (batch) => {
        calls.push(batch.length);
        if (batch.some((item) => item.sourceId === 's4'))
          throw new SwitchyardError('PLATFORM_REJECTED', 'create → HTTP 400: s4 has no name');
        return batch.map((item) => ({ id: `d${item.sourceId}` }));
      },
    };
    const outcomes = await writeBatch(target, items(7));
    expect(calls).toEqual([3, 3, 1, 1, 1, 1]);
    expect(outcomes.map((o) => o.action)).toEqual([
      'created',
      'created',
      'created',
      'created',
      'failed',
      'created',
      'created',
    ]);
    expect(outcomes[4]).toMatchObject({ error: 'create → HTTP 400: s4 has no name' });
  });

  it('updates a record whose create was refused as existing, after learning it; a lost reply is unknown', async () => {
    const held = new Map<string, string>();
    let lose = false;
    const target: BatchTarget = {
      cap: 10,
      match: async (batch) =>
        batch.map((item) => (held.has(item.sourceId) ? { id: held.get(item.sourceId)! } : undefined)),
      create: async (batch) => {
        if (lose) throw new SwitchyardError('OUTCOME_UNKNOWN', 'reply lost');
        return batch.map((item): ItemAnswer =>
          item.sourceId === 's1' ? { error: 'exists', refusal: 'exists' } : { id: 'new' },
        );
      },
      update: async (entries) => entries.map(({ id }) => ({ id })),
      relearn: async (entries) => {
        for (const { item } of entries) held.set(item.sourceId, 'theirs');
      },
    };
    const outcomes = await writeBatch(target, items(2));
    expect(outcomes).toEqual([
      { sourceId: 's0', action: 'created', destinationId: 'new' },
      { sourceId: 's1', action: 'updated', destinationId: 'theirs' },
    ]);
    lose = true;
    expect(await writeBatch(target, [{ sourceId: 's9', payload: {} }])).toEqual([
      { sourceId: 's9', action: 'unknown', error: 'reply lost', attempted: 'create' },
    ]);
    expect(
      await previewBatch(target, [
        { sourceId: 's1', payload: {} },
        { sourceId: 's8', payload: {} },
      ]),
    ).toEqual([
      { sourceId: 's1', action: 'updated', destinationId: 'theirs' },
      { sourceId: 's8', action: 'created', destinationId: '' },
    ]);
  });
});

describe('rolling window', () => {
  it('lets the whole allowance go at once, then never more than it in any window', async () => {
    const window = new RollingWindow(5, 200);
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 12 }, () =>
        window.run(async () => {
          started.push(Date.now() - t0);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }),
      ),
    );
    // The burst: five at once, not one every 40 ms.
    expect(started.slice(0, 5).every((t) => t < 15)).toBe(true);
    // No 200 ms holds more than five starts.
    for (const t of started)
      expect(started.filter((s) => s > t - 200 && s <= t).length).toBeLessThanOrEqual(5);
    expect(started.at(-1)).toBeGreaterThanOrEqual(400);
  });
});

describe("a plan's stated rate limit, paced in this process", () => {
  it('as a rolling window: the allowance at once, then a call waits for the oldest answer to leave', async () => {
    const limiter = localLimiter({ capacity: 3, windowMs: 200 });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await limiter.settle(await limiter.acquire(1), 1);
    expect(Date.now() - t0).toBeLessThan(100);
    await limiter.acquire(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(195);
  });

  it('as a rolling window: a call answered exactly a window ago still counts, as a host counting to the millisecond holds it', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const limiter = localLimiter({ capacity: 1, windowMs: 1000 });
      await limiter.settle(await limiter.acquire(1), 1);
      jest.setSystemTime(1000);
      let taken = false;
      const next = limiter.acquire(1).then(() => (taken = true));
      await jest.advanceTimersByTimeAsync(0);
      expect(taken).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await next;
      expect(taken).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('as a token bucket: charges what the platform says, gives a reservation back, and waits for the refill', async () => {
    const limiter = localLimiter({ capacity: 100, refillPerSecond: 100 });
    // A call reserved at 80 and charged 10 leaves 90; one with no charge leaves the balance as it was.
    await limiter.settle(await limiter.acquire(80), 10);
    await limiter.settle(await limiter.acquire(50), null);
    const t0 = Date.now();
    await limiter.acquire(90);
    expect(Date.now() - t0).toBeLessThan(50);
    // Empty now (less what refilled): 60 more take about 0.6 s of refill.
    await limiter.acquire(60);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
  });

  it("as a token bucket: a platform's report lowers the balance, never raises it", async () => {
    const limiter = localLimiter({ capacity: 100, refillPerSecond: 10 });
    await limiter.settle(await limiter.acquire(10), 10, 20);
    const t0 = Date.now();
    // 20 left by the report: 30 must wait for about 1 s of refill.
    await limiter.acquire(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    // Charged in full and the platform reports 1000: the balance stays empty, so 5 more wait about 0.5 s.
    await limiter.settle(30, 30, 1000);
    await limiter.acquire(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });
});
