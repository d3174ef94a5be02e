import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { isWrite, startFaultProxy } from '../helpers/fault-proxy';
import { wooStoreFrom } from '../helpers/sandboxes';
import { ServiceHarness } from '../../src/testing/service-harness';
import { sourceIds } from '../helpers/woo-api';
import { startShopifySandbox } from '../../connectors/shopify/sandbox/shopify.sandbox';
import { startWooSandbox } from '../../connectors/woocommerce/sandbox/woocommerce.sandbox';
import { startHubSpotSandbox } from '../../connectors/hubspot/sandbox/hubspot.sandbox';

// Distinctive secrets, so a scan of responses, logs and the ledger cannot miss them.
const SHOP_TOKEN = 'shpat_SECRETtoken_5f1e9a0c77d2';
const WOO_KEY = 'ck_SECRETkey_91ab3cd2';
const WOO_SECRET = 'cs_SECRETsecret_7d3e01fa';
const FAST = { capacity: 100_000, refillPerSecond: 100_000 };

jest.setTimeout(180_000);

beforeAll(() => {
  if (!existsSync(resolve(__dirname, '../../dist/src/service/main-api.js')))
    throw new Error('dist/ is missing: run npm run build (npm ci does)');
});

async function setup(
  service: ServiceHarness,
  shop: { url: string },
  woo: { url: string },
  name: string,
  shopLimit: object | undefined = FAST,
  options: object = { batchSize: 10 },
) {
  const source = await service.call('POST', '/api/connections', {
    name: 'shop',
    platform: 'shopify',
    url: shop.url,
    credentials: { accessToken: SHOP_TOKEN },
    ...(shopLimit ? { rateLimit: shopLimit } : {}),
  });
  const destination = await service.call('POST', '/api/connections', {
    name: 'woo',
    platform: 'woocommerce',
    url: woo.url,
    credentials: { consumerKey: WOO_KEY, consumerSecret: WOO_SECRET },
  });
  expect([source.status, destination.status]).toEqual([201, 201]);
  const migration = await service.call('POST', '/api/migrations', {
    name,
    sourceConnectionId: source.body.id,
    destinationConnectionId: destination.body.id,
    entities: ['orders', 'customers', 'products'],
    options,
  });
  expect(migration.status).toBe(201);
  return migration.body.id as string;
}

const shopWithSecrets = (seed: Record<string, unknown>, extra = {}) =>
  startShopifySandbox({ port: 0, seed, credentials: { accessToken: SHOP_TOKEN }, ...extra });
const wooWithSecrets = (extra = {}) =>
  startWooSandbox({
    port: 0,
    seed: { currency: 'EUR' },
    credentials: { consumerKey: WOO_KEY, consumerSecret: WOO_SECRET },
    ...extra,
  });
const wooOrders = (woo: { url: string }) =>
  fetch(
    `${woo.url}/wp-json/wc/v3/orders?per_page=100&consumer_key=${WOO_KEY}&consumer_secret=${WOO_SECRET}`,
  ).then((r) => ({
    total: Number(r.headers.get('x-wp-total')),
  }));

describe('service mode through the admin API', () => {
  const service = new ServiceHarness();
  let shop: Awaited<ReturnType<typeof shopWithSecrets>>;
  let woo: Awaited<ReturnType<typeof wooWithSecrets>>;
  beforeAll(async () => {
    await service.start(1);
    shop = await shopWithSecrets(demoShopifySeed({ customers: 25, products: 10, orders: 30 }));
    woo = await wooWithSecrets();
  });
  afterAll(async () => {
    await service.stop();
    await Promise.all([shop.close(), woo.close()]);
  });

  it('refuses requests without a valid token, and malformed bodies with every bad field named, writing nothing', async () => {
    expect((await service.call('GET', '/api/connections', undefined, null)).status).toBe(401);
    expect((await service.call('GET', '/api/connections', undefined, 'wrong-token-0123456789')).status).toBe(
      401,
    );
    expect((await service.call('GET', '/metrics', undefined, null)).status).toBe(401);
    expect((await service.call('GET', '/api/queues', undefined, null)).status).toBe(401);
    expect((await service.call('GET', '/api/health', undefined, null)).status).toBe(200);
    const bad = await service.call('POST', '/api/migrations', {
      name: 'has spaces',
      sourceConnectionId: 'nope',
      entities: ['invoices'],
      cleaning: { customers: { defaults: { 'addresses[].contry': 'NL' } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'cleaning.customers.defaults.addresses[].contry',
      'destinationConnectionId',
      'entities.0',
      'name',
      'sourceConnectionId',
    ]);
    const badConnection = await service.call('POST', '/api/connections', {
      name: '',
      platform: 'shopify',
      url: 'not a url',
      credentials: { accessToken: 1 },
    });
    expect(badConnection.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'credentials.accessToken',
      'name',
      'url',
    ]);
    expect((await service.call('GET', '/api/migrations')).body).toEqual([]);
    expect((await service.call('GET', '/api/connections')).body).toEqual([]);
    expect((await service.call('GET', '/api/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await service.call('GET', '/api/migrations/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
  });

  it('runs a migration end to end: start, watch it complete over SSE, read the ledger, check the destination', async () => {
    const migrationId = await setup(service, shop, woo, 'e2e');
    const run = await service.call('POST', `/api/migrations/${migrationId}/runs`, {});
    expect(run.status).toBe(202);
    const runId = run.body.runId as string;

    const events = await fetch(`http://127.0.0.1:${service.port}/api/runs/${runId}/events`, {
      headers: { Authorization: 'Bearer test-admin-token-0123456789' },
    });
    const stream = await events.text();
    const updates = stream
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { status: string });
    expect(updates.length).toBeGreaterThan(1);
    expect(updates[updates.length - 1].status).toBe('completed');

    const status = (await service.call('GET', `/api/runs/${runId}`)).body;
    expect(status.entities.customers).toMatchObject({ status: 'completed', extracted: 25, created: 25 });
    expect(status.entities.products).toMatchObject({ status: 'completed', extracted: 10, created: 10 });
    expect(status.entities.orders).toMatchObject({
      status: 'completed',
      extracted: 30,
      created: 30,
      checkpoint: 'done',
    });

    const rows: any[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/migrations/${migrationId}/ledger?limit=20${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await service.call('GET', query)).body;
      rows.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    expect(rows).toHaveLength(65);
    expect(rows[0]).toMatchObject({
      entity: 'customers',
      status: 'loaded',
      outcome: 'created',
      attempts: 1,
      inboundMapping: expect.stringMatching(/^shopify\.customer@v1#/),
    });
    const orders = (
      await service.call('GET', `/api/migrations/${migrationId}/ledger?entity=orders&limit=500`)
    ).body.rows;
    expect(orders).toHaveLength(30);
    expect((await wooOrders(woo)).total).toBe(30);

    const metrics = (await service.call('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/switchyard_records\{entity="orders",outcome="created"\} 30/);
    expect(metrics).toMatch(/switchyard_platform_api_calls_total\{platform="woocommerce"\} [1-9]/);
    expect(metrics).toMatch(/switchyard_queue_jobs\{state="waiting"\} 0/);
    const reconciliation = await service.call('GET', `/api/migrations/${migrationId}/reconciliation`);
    expect(reconciliation.status).toBe(200);
    expect(reconciliation.body).toMatchObject({ verdict: 'pass', differences: [] });
    expect(reconciliation.body.entities.orders.aggregates['line quantities'].equal).toBe(true);
    const audit = await service.call('POST', `/api/migrations/${migrationId}/audit`);
    expect(audit.status).toBe(200);
    expect(audit.body.entities.orders.count).toBe(30);
    const docs = await service.call('GET', '/api/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/connections', '/api/migrations/{id}/runs', '/api/runs/{runId}/events']),
    );
  });

  it('retries only the records that were quarantined, once the source is fixed', async () => {
    const seed = demoShopifySeed({ customers: 10, products: 4, orders: 12 });
    seed.customers[0].email = 'not-an-email';
    const badOrders = seed.orders.filter((order) => order.customer?.id === seed.customers[0].id).length;
    const source = await shopWithSecrets(seed);
    const destination = await wooWithSecrets();
    try {
      const migrationId = await setup(service, source, destination, 'retry');
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      const first = await service.waitForRun(runId);
      expect(first.status).toBe('completed_with_errors');
      expect(first.entities.customers).toMatchObject({ created: 9, quarantined: 1 });
      expect(first.entities.orders.quarantined).toBe(badOrders);
      // The merchant fixes the email in the source store.
      [...source.store.customers.values()].find((c) => c.email === 'not-an-email')!.email =
        'fixed@example.com';
      const retry = await service.call('POST', `/api/runs/${runId}/retry`);
      expect(retry.status).toBe(202);
      const second = await service.waitForRun(retry.body.runId);
      expect(second).toMatchObject({ kind: 'retry', retryOf: runId, status: 'completed' });
      expect(second.entities.customers).toMatchObject({ extracted: 1, created: 1 });
      expect(second.entities.orders).toMatchObject({ extracted: badOrders, created: badOrders });
      expect(second.entities.products).toBeUndefined();
      expect(destination.store.customers.size).toBe(10);
      expect(destination.store.orders.size).toBe(12);
      expect((await service.call('POST', `/api/runs/${retry.body.runId}/retry`)).status).toBe(409);
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('rolls a run back through the API: a dry run first, then the store as it was, as a run of its own', async () => {
    const source = await shopWithSecrets(demoShopifySeed({ customers: 6, products: 3, orders: 5 }));
    const destination = await wooWithSecrets();
    try {
      const migrationId = await setup(service, source, destination, 'rollback');
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      expect((await service.waitForRun(runId)).status).toBe('completed');
      expect(destination.store.orders.size).toBe(5);
      const preview = await service.call('POST', `/api/runs/${runId}/rollback`, { dryRun: true });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ dryRun: true, runId: null, kept: [], failed: [] });
      expect(destination.store.orders.size).toBe(5);
      const undone = await service.call('POST', `/api/runs/${runId}/rollback`, {});
      expect(undone.status).toBe(200);
      expect(undone.body.entities).toEqual({
        orders: { reversed: 5, kept: 0, failed: 0 },
        products: { reversed: 3, kept: 0, failed: 0 },
        customers: { reversed: 6, kept: 0, failed: 0 },
      });
      expect([
        destination.store.customers.size,
        destination.store.products.size,
        destination.store.orders.size,
      ]).toEqual([0, 0, 0]);
      expect((await service.call('GET', `/api/runs/${undone.body.runId}`)).body).toMatchObject({
        kind: 'rollback',
        undoes: runId,
        status: 'completed',
      });
      expect((await service.call('GET', `/api/runs/${runId}`)).body.status).toBe('rolled_back');
      expect((await service.call('POST', `/api/runs/${runId}/rollback`, { bogus: 1 })).status).toBe(400);
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('repairs through workers: a customer with orders deleted in the destination is back, its orders point at it', async () => {
    const source = await shopWithSecrets(demoShopifySeed({ customers: 6, products: 3, orders: 8 }));
    const destination = await wooWithSecrets();
    try {
      const migrationId = await setup(service, source, destination, 'repair');
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      expect((await service.waitForRun(runId)).status).toBe('completed');
      // Behind Switchyard's back, through WooCommerce's API: a customer who has orders is deleted.
      const buyer = [...destination.store.orders.values()].find((order) => order.customer_id > 0)!
        .customer_id as number;
      const theirs = [...destination.store.orders.values()].filter(
        (order) => order.customer_id === buyer,
      ).length;
      const gone = await fetch(
        `${destination.url}/wp-json/wc/v3/customers/${buyer}?force=true&consumer_key=${WOO_KEY}&consumer_secret=${WOO_SECRET}`,
        { method: 'DELETE' },
      );
      expect(gone.status).toBe(200);
      expect((await service.call('GET', `/api/migrations/${migrationId}/reconciliation`)).body.verdict).toBe(
        'fail',
      );
      const repair = await service.call('POST', `/api/migrations/${migrationId}/runs`, { kind: 'repair' });
      expect(repair.status).toBe(202);
      const repaired = await service.waitForRun(repair.body.runId);
      expect(repaired).toMatchObject({ kind: 'repair', status: 'completed' });
      expect(repaired.entities.customers).toMatchObject({ created: 1 });
      expect(repaired.entities.orders).toMatchObject({ updated: theirs });
      expect(repaired.entities.products).toMatchObject({ created: 0, updated: 0 });
      expect((await service.call('GET', `/api/migrations/${migrationId}/reconciliation`)).body).toMatchObject(
        {
          verdict: 'pass',
          differences: [],
        },
      );
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('runs a cutover through the API: the runbook first, then step by step with the operator’s confirmations', async () => {
    const source = await shopWithSecrets(demoShopifySeed({ customers: 6, products: 3, orders: 5 }));
    const destination = await wooWithSecrets();
    try {
      const migrationId = await setup(service, source, destination, 'cutover');
      const runbook = await service.call('GET', `/api/migrations/${migrationId}/cutover`);
      expect(runbook.body).toMatchObject({ status: 'not started', cutoverId: null });
      expect(runbook.body.steps.map((step: { name: string }) => step.name)).toEqual([
        'rehearse',
        'bulk_load',
        'catch_up',
        'freeze',
        'final_delta',
        'validate',
        'switch',
        'watch',
      ]);
      expect(
        (await service.call('POST', `/api/migrations/${migrationId}/cutover`, { confirm: 'later' })).status,
      ).toBe(400);
      const first = await service.call('POST', `/api/migrations/${migrationId}/cutover`, {});
      expect(first.body).toMatchObject({ status: 'waiting', at: 'freeze' });
      expect(destination.store.orders.size).toBe(5);
      const frozen = await service.call('POST', `/api/migrations/${migrationId}/cutover`, {
        confirm: 'freeze',
      });
      expect(frozen.body).toMatchObject({ status: 'waiting', at: 'switch' });
      const done = await service.call('POST', `/api/migrations/${migrationId}/cutover`, {
        confirm: 'switch',
      });
      expect(done.body.status).toBe('completed');
      // The record of how it went stays readable.
      expect((await service.call('GET', `/api/migrations/${migrationId}/cutover`)).body).toEqual(done.body);
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('runs a dry run through workers: nothing written, every record predicted, and the real run does just that', async () => {
    const seed = demoShopifySeed({ customers: 12, products: 5, orders: 15 });
    seed.products[0].variants[0].price = 'abc';
    const source = await shopWithSecrets(seed);
    const destination = await wooWithSecrets();
    try {
      const migrationId = await setup(service, source, destination, 'dry');
      const dry = await service.call('POST', `/api/migrations/${migrationId}/runs`, { dryRun: true });
      expect(dry.status).toBe(202);
      const predicted = await service.waitForRun(dry.body.runId);
      expect(predicted).toMatchObject({ dryRun: true, status: 'completed_with_errors' });
      expect(destination.counters().writes).toBe(0);
      const predictions = (await service.call('GET', `/api/runs/${dry.body.runId}/predictions?limit=1000`))
        .body;
      expect(predictions.total).toBe(32);
      expect(
        predictions.records.find((r: { sourceId: string }) => r.sourceId === seed.products[0].id),
      ).toMatchObject({ outcome: 'quarantined' });
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      const real = await service.waitForRun(runId);
      for (const entity of ['customers', 'products', 'orders']) {
        const pick = (e: Record<string, number>) => [
          e.created,
          e.updated,
          e.unchanged,
          e.quarantined,
          e.failed,
        ];
        expect(pick(real.entities[entity])).toEqual(pick(predicted.entities[entity]));
      }
      expect((await service.call('GET', `/api/runs/${runId}/predictions`)).status).toBe(409);
    } finally {
      await Promise.all([source.close(), destination.close()]);
    }
  });

  it('serves Bull Board to an admin token', async () => {
    const board = await service.call('GET', '/api/queues');
    expect(board.status).toBe(200);
    expect(String(board.body)).toMatch(/<html/i);
  });

  it('never shows credentials in a response, a log line, or a ledger row', async () => {
    await service.call('GET', '/api/connections');
    const everything = [
      service.responses.join('\n'),
      service.output.join(''),
      await service.ledgerDump(),
    ].join('\n');
    for (const secret of [SHOP_TOKEN, WOO_KEY, WOO_SECRET]) expect(everything).not.toContain(secret);
    expect(everything).toContain('"platform":"shopify"');
  });
});

describe('service mode under failure and control', () => {
  let service: ServiceHarness;
  afterEach(async () => {
    await service.stop();
  });

  it('finishes a run when one of two workers is SIGKILLed mid-run, with each record in the destination once', async () => {
    service = new ServiceHarness();
    await service.start(2);
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 60, products: 20, orders: 120 }));
    const woo = await wooWithSecrets({ latencyMs: 10 });
    try {
      const migrationId = await setup(service, shop, woo, 'kill');
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      await service.waitForRun(runId, (s) => s.entities.orders.extracted >= 20);
      // The worker holding the orders' lease: a worker may run them on from the entity before, not as their job.
      const [{ lease_owner: owner }] = await service.query(
        `SELECT lease_owner FROM run_entity WHERE run_id = '${runId}' AND entity = 'orders'`,
      );
      const holder = service.workers.find((worker) => String(owner).includes(`:${worker.child.pid}:`));
      expect(holder).toBeDefined();
      holder!.child.kill('SIGKILL');
      const survivor = service.workers.find((worker) => worker !== holder)!;
      const done = await service.waitForRun(runId);
      expect(done.status).toBe('completed');
      expect(survivor.output.join('')).toContain(`${runId}.orders taken`);
      const all = await fetchAll(woo.url, 'orders');
      expect(all).toHaveLength(120);
      expect(new Set(sourceIds(all)).size).toBe(120);
      expect(new Set((await fetchAll(woo.url, 'customers')).map((c) => c.email)).size).toBe(60);
    } finally {
      await Promise.all([shop.close(), woo.close()]);
    }
  });

  it("prepares a run's Shopify exports ahead, once, and goes on to the next entity in the job that finished one", async () => {
    service = new ServiceHarness();
    // One worker: customers and products, ready at once, run one after the other, then the orders.
    await service.start(1);
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 30, products: 30, orders: 40 }));
    const woo = await wooWithSecrets({ latencyMs: 20 });
    try {
      // Every entity read in bulk, however small.
      const migrationId = await setup(service, shop, woo, 'ahead', FAST, { batchSize: 10, bulkReadFrom: 0 });
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      const done = await service.waitForRun(runId);
      expect(done.status).toBe('completed');
      expect((await fetchAll(woo.url, 'orders')).length).toBe(40);
      const exportOf = async (n: number) => {
        const response = await fetch(`${shop.url}/admin/api/2025-01/graphql.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': SHOP_TOKEN },
          body: JSON.stringify({
            query: `{ node(id: "gid://shopify/BulkOperation/${n}") { ... on BulkOperation { query createdAt } } }`,
          }),
        });
        return ((await response.json()) as { data: { node: { query: string; createdAt: string } | null } })
          .data.node;
      };
      const exports = await Promise.all([1, 2, 3, 4].map(exportOf));
      const read = exports.map((e) => e?.query.match(/^\s*(?:query\s*)?\{\s*(\w+)/)?.[1] ?? null);
      // One export an entity, none started twice; customers and products in the order the queue gave them.
      expect([...read.slice(0, 2)].sort()).toEqual(['customers', 'products']);
      expect(read.slice(2)).toEqual(['orders', null]);
      // The orders' export was made before the orders were started: prepared ahead by the run's first job, and
      // taken over by the one that went on to the orders (none started a second).
      expect(exports[2]!.createdAt < done.entities.orders.startedAt).toBe(true);
    } finally {
      await Promise.all([shop.close(), woo.close()]);
    }
  });

  it('doubles nothing when a quarter of write batches lose their reply, nor when a fresh migration meets the same store', async () => {
    service = new ServiceHarness();
    await service.start(1);
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 30, products: 10, orders: 40 }));
    const woo = await wooWithSecrets();
    const proxy = await startFaultProxy(woo.url, [{ when: isWrite, fault: 'lose-reply', every: 4 }]);
    try {
      const first = await setup(service, shop, { url: proxy.url }, 'lossy');
      const run = (await service.call('POST', `/api/migrations/${first}/runs`, {})).body.runId as string;
      expect((await service.waitForRun(run)).status).toBe('completed');
      expect(proxy.lostAfterSave).toBeGreaterThanOrEqual(3);
      const orders = await fetchAll(woo.url, 'orders');
      expect(orders).toHaveLength(40);
      expect(new Set(sourceIds(orders)).size).toBe(40);
      expect(await fetchAll(woo.url, 'customers')).toHaveLength(30);
      // A new migration of the same stores starts with an empty ledger: it adopts, and creates nothing.
      const second = await setup(service, shop, { url: proxy.url }, 'lossy-again');
      const again = (await service.call('POST', `/api/migrations/${second}/runs`, {})).body.runId as string;
      const done = await service.waitForRun(again);
      expect(done.status).toBe('completed');
      expect(
        Object.fromEntries(['customers', 'products', 'orders'].map((e) => [e, done.entities[e].created])),
      ).toEqual({ customers: 0, products: 0, orders: 0 });
      expect(await fetchAll(woo.url, 'orders')).toHaveLength(40);
      // And a migration from a store into itself is refused before it exists.
      const woos = (await service.call('GET', '/api/connections')).body as { id: string; platform: string }[];
      const wooId = woos.find((connection) => connection.platform === 'woocommerce')!.id;
      const self = await service.call('POST', '/api/migrations', {
        name: 'into-itself',
        sourceConnectionId: wooId,
        destinationConnectionId: wooId,
        entities: ['customers'],
      });
      expect(self.status).toBe(400);
      expect(self.body.message).toMatch(/the destination is the source itself/);
    } finally {
      await Promise.all([shop.close(), woo.close(), proxy.close()]);
    }
  });

  it('finishes a run whose Redis lost all its data twice, once with its worker killed too: nothing lost or doubled', async () => {
    service = new ServiceHarness();
    await service.start(1);
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 40, products: 12, orders: 80 }));
    const woo = await wooWithSecrets({ latencyMs: 15 });
    try {
      const migrationId = await setup(service, shop, woo, 'flushed');
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      // Mid-run, with the worker alive: every job, lock and queue gone.
      await service.waitForRun(runId, (s) => s.entities.customers.extracted >= 10);
      expect(await service.flushRedis()).toBeGreaterThan(0);
      // Then mid-orders, the worker killed and Redis emptied again, before a new worker starts.
      await service.waitForRun(runId, (s) => s.entities.orders.extracted >= 20);
      service.workers[0].child.kill('SIGKILL');
      await service.flushRedis();
      service.addWorker();
      const done = await service.waitForRun(runId);
      expect(done.status).toBe('completed');
      expect(done.entities.orders.created).toBe(80);
      const all = await fetchAll(woo.url, 'orders');
      expect(all).toHaveLength(80);
      expect(new Set(sourceIds(all)).size).toBe(80);
      expect(new Set((await fetchAll(woo.url, 'customers')).map((c) => c.email)).size).toBe(40);
      expect(await fetchAll(woo.url, 'customers')).toHaveLength(40);
    } finally {
      await Promise.all([shop.close(), woo.close()]);
    }
  });

  it('pauses and resumes, cancels and starts anew, without loading a record twice or losing one', async () => {
    service = new ServiceHarness();
    await service.start(1);
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 40, products: 12, orders: 80 }));
    // Each request takes 60 ms, so a page of orders outlasts the poll that comes before the cancel.
    const woo = await wooWithSecrets({ latencyMs: 60 });
    try {
      const migrationId = await setup(service, shop, woo, 'control');
      const { runId } = (await service.call('POST', `/api/migrations/${migrationId}/runs`, {})).body;
      await service.waitForRun(runId, (s) => s.entities.orders.extracted >= 10);
      expect((await service.call('POST', `/api/runs/${runId}/pause`)).body.status).toBe('paused');
      const paused = await service.waitForRun(runId, (s) => s.entities.orders.status === 'paused');
      await new Promise((r) => setTimeout(r, 1000));
      expect((await service.call('GET', `/api/runs/${runId}`)).body.entities.orders.extracted).toBe(
        paused.entities.orders.extracted,
      );
      expect(woo.store.orders.size).toBe(paused.entities.orders.created);
      expect((await service.call('POST', `/api/runs/${runId}/pause`)).status).toBe(409);
      expect((await service.call('POST', `/api/runs/${runId}/resume`)).body.status).toBe('running');
      await service.waitForRun(
        runId,
        (s) => s.entities.orders.extracted >= paused.entities.orders.extracted + 10,
      );
      expect((await service.call('POST', `/api/runs/${runId}/cancel`)).body.status).toBe('cancelled');
      await service.waitForRun(runId, (s) => s.entities.orders.status === 'cancelled');
      const second = await service.call('POST', `/api/migrations/${migrationId}/runs`, {});
      expect(second.status).toBe(202);
      const done = await service.waitForRun(second.body.runId);
      expect(done.status).toBe('completed');
      expect(done.entities.orders.created + done.entities.orders.unchanged).toBe(80);
      const all = await fetchAll(woo.url, 'orders');
      expect(all).toHaveLength(80);
      expect(new Set(sourceIds(all)).size).toBe(80);
    } finally {
      await Promise.all([shop.close(), woo.close()]);
    }
  });
});

describe("a destination's rate limit across two workers", () => {
  it('is never exceeded: the Shopify sandbox refuses no request', async () => {
    // A WooCommerce source holding a real store's data: filled from the demo Shopify store first. Its writes
    // cost about 2,500 points (10 a mutation), two and a half buckets: unpaced, 16 writers empty one at once.
    const source = await wooStoreFrom(demoShopifySeed({ customers: 120, products: 10, orders: 120 }));
    const destination = await startShopifySandbox({
      port: 0,
      seed: { shop: { currencyCode: 'EUR' } },
      rateLimit: true,
    });
    const service = new ServiceHarness();
    try {
      await service.start(2);
      const woo = await service.call('POST', '/api/connections', {
        name: 'woo',
        platform: 'woocommerce',
        url: source.url,
        credentials: { consumerKey: 'ck_sandbox', consumerSecret: 'cs_sandbox' },
      });
      const shop = await service.call('POST', '/api/connections', {
        name: 'shop',
        platform: 'shopify',
        url: destination.url,
        credentials: { accessToken: 'shpat_sandbox' },
      });
      const migration = await service.call('POST', '/api/migrations', {
        name: 'limited',
        sourceConnectionId: woo.body.id,
        destinationConnectionId: shop.body.id,
        entities: ['customers', 'products', 'orders'],
        options: { batchSize: 10, concurrency: 8 },
      });
      const { runId } = (await service.call('POST', `/api/migrations/${migration.body.id}/runs`, {})).body;
      const done = await service.waitForRun(runId, undefined, 170_000);
      expect(done.status).toBe('completed');
      expect(destination.store.orders.size).toBe(120);
      expect(destination.counters().throttled).toBe(0);
      // The shared budget, not luck, kept it so: workers waited on it.
      const metrics = (await service.call('GET', '/metrics')).body as string;
      expect(metrics).toMatch(/switchyard_rate_limit_waits_total\{platform="shopify"\} [1-9]/);
    } finally {
      await service.stop();
      await Promise.all([source.close(), destination.close()]);
    }
  });
});

/**
 * A run from the shop (its own budget unlimited) into the destination connection given, started through the API
 * right after both connections are created (each checked against its platform), and waited for.
 */
async function runFromShop(
  service: ServiceHarness,
  shop: { url: string },
  destination: Record<string, unknown>,
  migration: { name: string; entities: string[]; options: object },
) {
  const source = await service.call('POST', '/api/connections', {
    name: 'shop',
    platform: 'shopify',
    url: shop.url,
    credentials: { accessToken: SHOP_TOKEN },
    rateLimit: FAST,
  });
  const target = await service.call('POST', '/api/connections', destination);
  const created = await service.call('POST', '/api/migrations', {
    ...migration,
    sourceConnectionId: source.body.id,
    destinationConnectionId: target.body.id,
  });
  const { runId } = (await service.call('POST', `/api/migrations/${created.body.id}/runs`, {})).body;
  return service.waitForRun(runId);
}

describe("a WooCommerce host's rate limit across two workers", () => {
  it('holds when the connection declares the budget: the host answers no request with 429', async () => {
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 40, products: 80, orders: 60 }));
    const woo = await wooWithSecrets({ rateLimit: true });
    const service = new ServiceHarness();
    try {
      await service.start(2);
      // The host allows 50 requests in any second, and the connection says exactly that: the two workers share
      // one rolling window in Redis, far below what they would send unpaced (pages of 25 products, their
      // variations written concurrently).
      const run = await runFromShop(
        service,
        shop,
        {
          name: 'woo',
          platform: 'woocommerce',
          url: woo.url,
          credentials: { consumerKey: WOO_KEY, consumerSecret: WOO_SECRET },
          rateLimit: { capacity: 50, windowMs: 1000 },
        },
        // Pages of 25 products: each page reads and writes its variations concurrently, well above 50 requests a second.
        { name: 'woo-limited', entities: ['customers', 'products', 'orders'], options: { batchSize: 25 } },
      );
      expect(run.status).toBe('completed');
      expect(woo.store.orders.size).toBe(60);
      expect(woo.counters().throttled).toBe(0);
    } finally {
      await service.stop();
      await Promise.all([shop.close(), woo.close()]);
    }
  });
});

describe("a HubSpot portal's budget, shared by the API and the workers", () => {
  it("counts the API's check of a connection: a run started right after it meets no 429 in its first burst", async () => {
    const shop = await shopWithSecrets(demoShopifySeed({ customers: 150, products: 1, orders: 0 }));
    // 100 calls in any 10 s. The check calls the portal, then a run of one contact a call spends the rest of the
    // window at once: counted apart, the check's call and the run's first hundred made 101.
    const portal = await startHubSpotSandbox({ port: 0, seed: { currency: 'EUR' }, rateLimit: true });
    const service = new ServiceHarness();
    try {
      await service.start(2);
      const run = await runFromShop(
        service,
        shop,
        { name: 'portal', platform: 'hubspot', url: portal.url, credentials: { accessToken: 'hs_sandbox' } },
        { name: 'portal-budget', entities: ['customers'], options: { batchSize: 1 } },
      );
      expect(run.status).toBe('completed');
      expect(portal.store.objects.get('contacts')!.size).toBe(150);
      expect(portal.counters().throttled).toBe(0);
    } finally {
      await service.stop();
      await Promise.all([shop.close(), portal.close()]);
    }
  });
});

async function fetchAll(url: string, resource: string): Promise<Record<string, any>[]> {
  const all: Record<string, any>[] = [];
  for (let page = 1; ; page++) {
    const response = await fetch(
      `${url}/wp-json/wc/v3/${resource}?per_page=100&page=${page}&consumer_key=${WOO_KEY}&consumer_secret=${WOO_SECRET}`,
    );
    all.push(...((await response.json()) as Record<string, any>[]));
    if (page >= Number(response.headers.get('x-wp-totalpages') ?? 1)) return all;
  }
}
