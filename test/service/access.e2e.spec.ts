import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startWooSandbox } from '../../connectors/woocommerce/sandbox/woocommerce.sandbox';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { shopifySandbox } from '../helpers/sandboxes';
import { Queue } from 'bullmq';
import { ENTITY_QUEUE, entityJobId } from '../../src/service/queue/queue.constants';
import { REDIS_URL, ServiceHarness } from '../../src/testing/service-harness';

jest.setTimeout(120_000);
const DIST = resolve(__dirname, '../../dist/src');
const run = promisify(execFile);

beforeAll(() => {
  if (!existsSync(resolve(__dirname, '../../dist/src/service/main-api.js')))
    throw new Error('dist/ is missing: run npm run build (npm ci does)');
});

describe('the service lets no one in where they do not belong', () => {
  const service = new ServiceHarness();
  let shop: Awaited<ReturnType<typeof shopifySandbox>>;
  let woo: Awaited<ReturnType<typeof startWooSandbox>>;
  const shopConnection = () => ({
    name: 'shop',
    platform: 'shopify',
    url: shop.url,
    credentials: { accessToken: 'shpat_sandbox' },
  });
  const wooConnection = (consumerSecret = 'cs_sandbox') => ({
    name: 'woo',
    platform: 'woocommerce',
    url: woo.url,
    credentials: { consumerKey: 'ck_sandbox', consumerSecret },
  });

  beforeAll(async () => {
    await service.start(1);
    shop = await shopifySandbox(demoShopifySeed({ customers: 5, products: 3, orders: 5 }));
    woo = await startWooSandbox({ port: 0, seed: { currency: 'EUR' } });
  });
  afterAll(async () => {
    await service.stop();
    await Promise.all([shop.close(), woo.close()]);
  });

  it('refuses connections to internal addresses and other schemes, and bad credentials, at creation', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/',
      'http://192.168.0.1:8080/',
      'http://[::1]:5432/',
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_FLUSHALL',
    ]) {
      const refused = await service.call('POST', '/api/connections', { ...wooConnection(), url });
      expect({ url, status: refused.status }).toEqual({ url, status: 400 });
      expect(refused.body.message).toMatch(/may not call|full URL/);
    }
    const wrongKeys = await service.call('POST', '/api/connections', wooConnection('cs_wrong_secret_123'));
    expect(wrongKeys.status).toBe(400);
    expect(wrongKeys.body.message).toMatch(/WooCommerce refused the API keys/);
    expect(JSON.stringify(wrongKeys.body)).not.toContain('cs_wrong_secret_123');
    expect((await service.call('GET', '/api/connections')).body).toEqual([]);

    const created = await service.call('POST', '/api/connections', wooConnection());
    expect(created.status).toBe(201);
    const tested = await service.call('POST', `/api/connections/${created.body.id}/test`);
    expect(tested).toEqual({ status: 200, body: { ok: true, currency: 'EUR' } });
  });

  it('passes on what a platform says before any run: a development shop paces its orders', async () => {
    const development = await shopifySandbox(undefined, { storePlan: 'development' });
    try {
      const created = await service.call('POST', '/api/connections', {
        ...shopConnection(),
        url: development.url,
      });
      expect(created.status).toBe(201);
      const notice = expect.stringMatching(
        /^this is a Developer Preview shop: Shopify creates at most 5 orders/,
      );
      expect(created.body.notices).toEqual([notice]);
      const tested = await service.call('POST', `/api/connections/${created.body.id}/test`);
      expect(tested.body).toMatchObject({ ok: true, notices: [notice] });
    } finally {
      await development.close();
    }
  });

  it('holds every connection a service process makes to the policy, after DNS and through fetch and http', async () => {
    // A process of its own, as the API and workers are: fetch (Shopify's client) and axios (WooCommerce's).
    // Asynchronously: the sandbox answering the probe lives in this process.
    const probe = async (allowed: string) =>
      (
        await run(
          process.execPath,
          [
            '-e',
            `
          const { EgressPolicy } = require('${DIST}/security/egress-policy.js');
          const { guardOutboundConnections } = require('${DIST}/security/outbound-guard.js');
          const axios = require('axios');
          guardOutboundConnections(new EgressPolicy('${allowed}'));
          const url = process.argv[1];
          const byName = url.replace('127.0.0.1', 'localhost');
          const outcome = (promise) => promise.then(() => 'reached', (e) => 'refused: ' + (e.cause?.message ?? e.message));
          Promise.all([outcome(fetch(url)), outcome(axios.get(url)), outcome(axios.get(byName))])
            .then((results) => console.log(JSON.stringify(results)));
          `,
            `${woo.url}/wp-json/wc/v3/data/currencies/current?consumer_key=ck_sandbox&consumer_secret=cs_sandbox`,
          ],
          { encoding: 'utf8', cwd: resolve(__dirname, '../..') },
        )
      ).stdout;
    const refused = JSON.parse(await probe('')) as string[];
    expect(refused).toHaveLength(3);
    for (const result of refused) expect(result).toMatch(/refused: .*internal address/);
    expect(JSON.parse(await probe('127.0.0.1, localhost'))).toEqual(['reached', 'reached', 'reached']);
  });

  it('takes mappings as uploaded content, never as a path on the server', async () => {
    const source = await service.call('POST', '/api/connections', shopConnection());
    const destination = await service.call('POST', '/api/connections', wooConnection());
    const base = {
      sourceConnectionId: source.body.id,
      destinationConnectionId: destination.body.id,
      entities: ['customers'],
    };
    const byPath = await service.call('POST', '/api/migrations', {
      ...base,
      name: 'by-path',
      mappings: { 'woocommerce.customer': { file: '/proc/self/environ' } },
    });
    expect(byPath.status).toBe(400);
    expect(JSON.stringify(byPath.body)).toMatch(/reads no file a caller names/);
    const broken = await service.call('POST', '/api/migrations', {
      ...base,
      name: 'broken',
      mappings: { 'woocommerce.customer': { content: 'mapping: [' } },
    });
    expect(broken.status).toBe(400);
    const content = readFileSync(resolve(__dirname, '../../mappings/woocommerce/customer.v1.yaml'), 'utf8');
    const uploaded = await service.call('POST', '/api/migrations', {
      ...base,
      name: 'uploaded',
      mappings: { 'woocommerce.customer': { content } },
    });
    expect(uploaded.status).toBe(201);
  });

  it('ends a job at once when retrying cannot help: credentials revoked after the migration was defined', async () => {
    const source = await service.call('POST', '/api/connections', shopConnection());
    const revoked = await startWooSandbox({ port: 0, seed: { currency: 'EUR' } });
    const destination = await service.call('POST', '/api/connections', {
      ...wooConnection(),
      url: revoked.url,
    });
    const created = await service.call('POST', '/api/migrations', {
      name: 'revoked',
      sourceConnectionId: source.body.id,
      destinationConnectionId: destination.body.id,
      entities: ['customers'],
    });
    expect(created.status).toBe(201);
    // The store's owner revokes the key: same store, same port, other credentials.
    const port = Number(new URL(revoked.url).port);
    await revoked.close();
    const store = await startWooSandbox({
      port,
      seed: { currency: 'EUR' },
      credentials: { consumerKey: 'ck_new', consumerSecret: 'cs_new' },
    });
    try {
      const started = await service.call('POST', `/api/migrations/${created.body.id}/runs`, {});
      const run = await service.waitForRun(started.body.runId);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/customers: .*(key|credentials)/i);
      const queue = new Queue(ENTITY_QUEUE, { connection: { url: REDIS_URL }, prefix: service.queuePrefix });
      try {
        const job = await queue.getJob(entityJobId(started.body.runId, 'customers'));
        expect(job?.attemptsMade).toBe(1);
      } finally {
        await queue.close();
      }
      expect(store.counters().writes).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('takes the plan schema itself: value maps posted with a migration are used by its run', async () => {
    // A budget far above the sandbox's, so the runs wait for nothing but their own work.
    const source = await service.call('POST', '/api/connections', {
      ...shopConnection(),
      rateLimit: { capacity: 100_000, refillPerSecond: 100_000 },
    });
    const destination = await service.call('POST', '/api/connections', wooConnection());
    const created = await service.call('POST', '/api/migrations', {
      name: 'value-maps',
      sourceConnectionId: source.body.id,
      destinationConnectionId: destination.body.id,
      entities: ['products'],
      // As a YAML plan says it: every active product arrives in WooCommerce as a draft.
      mappings: { 'woocommerce.product': { valueMaps: { 'outbound.status': { active: 'draft' } } } },
      cleaning: {},
      options: { batchSize: 50, concurrency: 2 },
    });
    expect(created.status).toBe(201);
    const started = await service.call('POST', `/api/migrations/${created.body.id}/runs`, {});
    expect(started.status).toBe(202);
    expect((await service.waitForRun(started.body.runId)).status).toBe('completed');
    const statuses = [...woo.store.products.values()].map((product) => product.status);
    expect(statuses.length).toBe(3);
    expect(new Set(statuses)).toEqual(new Set(['draft']));

    // A delta run through the API: one product changed in the shop since; only it is written.
    const changed = [...shop.store.products.values()][1];
    changed.title = 'Renamed in the shop';
    changed.updatedAt = new Date(Date.now() + 3_600_000).toISOString();
    const writes = woo.counters().writes;
    const delta = await service.call('POST', `/api/migrations/${created.body.id}/runs`, { kind: 'delta' });
    expect(delta.status).toBe(202);
    const done = await service.waitForRun(delta.body.runId);
    expect(done).toMatchObject({ kind: 'delta', status: 'completed' });
    expect(done.entities.products).toMatchObject({ updated: 1, created: 0 });
    // The product and its variations were written again, nothing else.
    const product = [...woo.store.products.values()].find((row) =>
      (row.meta_data as { key: string; value: string }[]).some((meta) => meta.value === changed.id),
    )!;
    expect(product.name).toBe('Renamed in the shop');
    const variations = [...woo.store.variations.values()].filter((v) => v.parent_id === product.id);
    expect(woo.counters().writes - writes).toBe(1 + variations.length);
  });

  it('gives each token its role, keeps only hashes, and writes who did what to the audit log', async () => {
    const viewer = await service.call('POST', '/api/tokens', { name: 'vera-viewer', role: 'viewer' });
    const operator = await service.call('POST', '/api/tokens', { name: 'otto-operator', role: 'operator' });
    expect([viewer.status, operator.status]).toEqual([201, 201]);
    const source = await service.call('POST', '/api/connections', shopConnection());
    const destination = await service.call('POST', '/api/connections', wooConnection());
    const migration = await service.call(
      'POST',
      '/api/migrations',
      {
        name: 'roles',
        sourceConnectionId: source.body.id,
        destinationConnectionId: destination.body.id,
        entities: ['customers'],
      },
      operator.body.token,
    );
    expect(migration.status).toBe(201);

    // A viewer reads, and cannot start a run, make a connection or read the audit log.
    expect((await service.call('GET', '/api/migrations', undefined, viewer.body.token)).status).toBe(200);
    const run = `/api/migrations/${migration.body.id}/runs`;
    expect((await service.call('POST', run, {}, viewer.body.token)).status).toBe(403);
    expect((await service.call('POST', '/api/connections', wooConnection(), viewer.body.token)).status).toBe(
      403,
    );
    expect((await service.call('GET', '/api/audit-log', undefined, viewer.body.token)).status).toBe(403);
    // An operator runs, and cannot manage connections or tokens.
    const started = await service.call('POST', run, {}, operator.body.token);
    expect(started.status).toBe(202);
    await service.waitForRun(started.body.runId);
    expect(
      (await service.call('POST', '/api/connections', wooConnection(), operator.body.token)).status,
    ).toBe(403);
    expect(
      (await service.call('POST', '/api/tokens', { name: 'x', role: 'admin' }, operator.body.token)).status,
    ).toBe(403);

    const log = (await service.call('GET', '/api/audit-log?limit=200')).body as Record<string, unknown>[];
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'otto-operator',
          role: 'operator',
          method: 'POST',
          path: run,
          status: 202,
        }),
        expect.objectContaining({ actor: 'vera-viewer', method: 'POST', path: run, status: 403 }),
        expect.objectContaining({ actor: 'env-admin-1', method: 'POST', path: '/api/tokens', status: 201 }),
        expect.objectContaining({
          actor: 'otto-operator',
          method: 'POST',
          path: '/api/migrations',
          status: 201,
        }),
      ]),
    );
    expect(log.every((event) => typeof event.at === 'string' && typeof event.ip === 'string')).toBe(true);
    const tokens = (await service.call('GET', '/api/tokens')).body as Record<string, unknown>[];
    expect(tokens.map((token) => token.name)).toEqual(['vera-viewer', 'otto-operator']);
    const dump = (await service.ledgerDump()) + JSON.stringify(tokens);
    expect(dump).not.toContain(viewer.body.token);
    expect(dump).not.toContain(operator.body.token);
  });

  it('keeps the OpenAPI page behind a token, and answers an oversized body with 413', async () => {
    expect((await service.call('GET', '/api/docs', undefined, null)).status).toBe(401);
    expect((await service.call('GET', '/api/docs-json', undefined, null)).status).toBe(401);
    expect((await service.call('GET', '/api/docs-json')).status).toBe(200);
    const huge = await service.call('POST', '/api/connections', {
      ...wooConnection(),
      name: 'x'.repeat(10_000_000),
    });
    expect(huge.status).toBe(413);
  });

  it('answers a flood of wrong tokens with 429 and Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fetch(`http://127.0.0.1:${service.port}/api/connections`, {
          headers: { Authorization: `Bearer wrong-token-${i}-0123456789` },
        }).then((response) => ({ status: response.status, retryAfter: response.headers.get('retry-after') })),
      ),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(250);
    expect(Number(limited[0].retryAfter)).toBeGreaterThan(0);
    // Every refusal is in the audit log (read from the database: this address now waits, admin or not).
    const expected = { 401: answers.filter((answer) => answer.status === 401).length, 429: limited.length };
    let logged: Record<string, unknown> = {};
    for (let i = 0; i < 50 && JSON.stringify(logged) !== JSON.stringify(expected); i++) {
      await new Promise((done) => setTimeout(done, 100));
      const rows = await service.query(
        `SELECT status, count(*)::int AS n FROM audit_event WHERE actor = 'anonymous' AND path = '/api/connections' GROUP BY status ORDER BY status`,
      );
      logged = Object.fromEntries(rows.map((row) => [row.status, row.n]));
    }
    expect(logged).toEqual(expected);
    expect((await service.call('GET', '/api/connections')).status).toBe(429);
  });
});
