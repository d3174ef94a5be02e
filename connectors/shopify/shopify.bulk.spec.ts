import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { NativeRecord } from '../../src/connectors';
import { startFaultProxy } from '../../test/helpers/fault-proxy';
import { shopifySandbox, type ShopifySandbox } from '../../test/helpers/sandboxes';
import { BULK_CURSOR } from './bulk-read';
import { ShopifyConnector } from './shopify.connector';
import { bulkQuery } from './shopify.queries';
import { shopifyGraphql } from '../../test/helpers/shopify-api';

const money = (amount: string) => ({ shopMoney: { amount, currencyCode: 'EUR' } });

/** A store whose lists cross every paged read's limits: 12 lines an order (10 a page), 3 variants, 2 images. */
function store(customers: number, products: number, orders: number) {
  return {
    shop: { currencyCode: 'EUR' },
    customers: Array.from({ length: customers }, (_, i) => ({
      id: `gid://shopify/Customer/${i + 1}`,
      email: `c${i + 1}@example.com`,
      firstName: `C${i + 1}`,
      addresses: [{ address1: `Street ${i + 1}`, city: 'Utrecht', zip: '3511', countryCodeV2: 'NL' }],
      createdAt: '2025-01-01T00:00:00Z',
    })),
    products: Array.from({ length: products }, (_, i) => ({
      id: `gid://shopify/Product/${1000 + i}`,
      title: `P${i}`,
      options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
      variants: ['S', 'M', 'L'].map((size, v) => ({
        id: `gid://shopify/ProductVariant/${5000 + i * 3 + v}`,
        sku: `SKU-${i}-${size}`,
        price: '10.00',
        selectedOptions: [{ name: 'Size', value: size }],
      })),
      media: [
        { alt: 'front', image: { url: `https://cdn.example/${i}-front.png`, altText: 'front' } },
        { alt: 'back', image: { url: `https://cdn.example/${i}-back.png`, altText: 'back' } },
      ],
    })),
    orders: Array.from({ length: orders }, (_, i) => ({
      id: `gid://shopify/Order/${9000 + i}`,
      name: `#${1000 + i}`,
      customer: { id: `gid://shopify/Customer/${(i % customers) + 1}` },
      currencyCode: 'EUR',
      lineItems: Array.from({ length: 12 }, (_, l) => ({
        id: `gid://shopify/LineItem/${20000 + i * 12 + l}`,
        title: `Line ${l}`,
        quantity: 1,
        sku: `SKU-0-S`,
        originalUnitPriceSet: money('10.00'),
      })),
      shippingLines: [{ title: 'Post', code: 'post', originalPriceSet: money('4.95') }],
      totalPriceSet: money('124.95'),
    })),
  };
}

async function readAll(
  connector: ShopifyConnector,
  entity: 'customers' | 'products' | 'orders',
  pageSize: number,
) {
  const sizes: number[] = [];
  const cursors: (string | null)[] = [];
  const records: NativeRecord[] = [];
  for await (const page of connector.read(entity, { cursor: null, pageSize })) {
    sizes.push(page.records.length);
    cursors.push(page.nextCursor);
    records.push(...page.records);
  }
  return { sizes, cursors, records };
}

const gql = (sandbox: ShopifySandbox, query: string, variables: Record<string, unknown> = {}) =>
  shopifyGraphql(sandbox.url, query, variables);

const run = (sandbox: ShopifySandbox, query: string) =>
  gql(
    sandbox,
    'mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }',
    { q: query },
  ).then((body) => body.data.bulkOperationRunQuery);

/** Runs a bulk query to its end and answers its JSONL lines as objects. */
async function exported(sandbox: ShopifySandbox, query: string): Promise<Record<string, unknown>[]> {
  const started = await run(sandbox, query);
  expect(started.userErrors).toEqual([]);
  let operation: Record<string, any>;
  do {
    const body = await gql(
      sandbox,
      'query($id: ID!) { node(id: $id) { ... on BulkOperation { status url } } }',
      {
        id: started.bulkOperation.id,
      },
    );
    operation = body.data.node;
  } while (operation.status === 'CREATED' || operation.status === 'RUNNING');
  expect(operation.status).toBe('COMPLETED');
  const text = operation.url ? await (await fetch(operation.url)).text() : '';
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Shopify bulk operations', () => {
  let sandbox: ShopifySandbox;
  afterEach(async () => {
    await sandbox.close();
  });

  it('reads every entity in bulk exactly as the paged read does, in pages of the size asked', async () => {
    sandbox = await shopifySandbox(store(23, 7, 9));
    const paged = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 2 });
    const bulk = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 2, bulkReadFrom: 0 });
    for (const entity of ['customers', 'products', 'orders'] as const) {
      const before = sandbox.counters().requests;
      const viaBulk = await readAll(bulk, entity, 5);
      const requests = sandbox.counters().requests - before;
      const viaPages = await readAll(paged, entity, 5);
      expect(viaBulk.records).toEqual(viaPages.records);
      const total = { customers: 23, products: 7, orders: 9 }[entity];
      expect(viaBulk.sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(viaBulk.sizes.slice(0, -1).every((size) => size === 5)).toBe(true);
      // Every page but the last says a bulk read is under way; the last ends the read.
      expect(viaBulk.cursors.slice(0, -1).every((cursor) => cursor === BULK_CURSOR)).toBe(true);
      expect(viaBulk.cursors.at(-1)).toBeNull();
      // One start, a few polls and one download, however many records: not a query per page.
      expect(requests).toBeLessThanOrEqual(6);
    }
    const orders = (await readAll(bulk, 'orders', 100)).records;
    expect(orders.every((order) => (order.lineItems as unknown[]).length === 12)).toBe(true);
    expect((await readAll(bulk, 'products', 100)).records[0]).toMatchObject({
      variants: [{ sku: 'SKU-0-S' }, { sku: 'SKU-0-M' }, { sku: 'SKU-0-L' }],
      media: [{ alt: 'front' }, { alt: 'back' }],
    });
  });

  it('reads an empty store as one empty page, and uses bulk only from its threshold', async () => {
    sandbox = await shopifySandbox(store(3, 0, 0));
    const bulk = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 0 });
    expect((await readAll(bulk, 'products', 10)).sizes).toEqual([0]);
    const threshold = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 4 });
    expect((await readAll(threshold, 'customers', 2)).cursors).not.toContain(BULK_CURSOR);
    const atThreshold = new ShopifyConnector(sandbox.url, 'shpat_sandbox', {
      concurrency: 1,
      bulkReadFrom: 3,
    });
    expect((await readAll(atThreshold, 'customers', 2)).cursors).toEqual([BULK_CURSOR, null]);
  });

  it('joins the export of the same query already under way instead of waiting for the shop to be free', async () => {
    sandbox = await shopifySandbox(store(30, 0, 0));
    // A reply lost after Shopify started it, or a second worker: the shop's one slot holds our very query.
    const started = await run(sandbox, bulkQuery('customers', '', null));
    expect(started.userErrors).toEqual([]);
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 0 });
    const { records } = await readAll(connector, 'customers', 50);
    expect(records).toHaveLength(30);
    const current = await gql(sandbox, '{ currentBulkOperation { id status } }');
    expect(current.data.currentBulkOperation).toEqual({ id: started.bulkOperation.id, status: 'COMPLETED' });
  });

  it("runs a run's exports one after another ahead of their reads, each read taking over its own", async () => {
    sandbox = await shopifySandbox(store(30, 5, 6));
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 0 });
    const options = { cursor: null, pageSize: 10 };
    connector.prepareReads(
      (['customers', 'products', 'orders'] as const).map((entity) => ({ entity, options })),
    );
    expect((await readAll(connector, 'customers', 10)).records).toHaveLength(30);
    // The products export was started by no read: it runs while the customers load.
    const status = async (n: number) =>
      (
        await gql(
          sandbox,
          `{ node(id: "gid://shopify/BulkOperation/${n}") { ... on BulkOperation { query } } }`,
        )
      ).data.node as { query: string } | null;
    for (let waited = 0; !(await status(2)) && waited < 5000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await status(2))?.query).toBe(bulkQuery('products', '', null));
    expect((await readAll(connector, 'products', 10)).records).toHaveLength(5);
    expect((await readAll(connector, 'orders', 10)).records).toHaveLength(6);
    // Three exports in all, in the order asked: none started twice.
    expect((await status(3))?.query).toBe(bulkQuery('orders', '', null));
    expect(await status(4)).toBeNull();
  });

  it('takes over a finished export of the same query made since the run began, and no older one', async () => {
    sandbox = await shopifySandbox(store(20, 0, 0));
    const began = new Date(Date.now() - 1000).toISOString();
    // Another worker of the same run exported the customers already.
    expect((await run(sandbox, bulkQuery('customers', '', null))).userErrors).toEqual([]);
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 0 });
    const latest = async () =>
      (await gql(sandbox, '{ currentBulkOperation { id } }')).data.currentBulkOperation.id;
    const read = async (preparedSince: string) => {
      const records: NativeRecord[] = [];
      for await (const page of connector.read('customers', { cursor: null, pageSize: 50, preparedSince }))
        records.push(...page.records);
      return records;
    };
    expect(await read(began)).toHaveLength(20);
    expect(await latest()).toBe('gid://shopify/BulkOperation/1');
    // A run that began after that export was made gets one of its own.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await read(new Date().toISOString())).toHaveLength(20);
    expect(await latest()).toBe('gid://shopify/BulkOperation/2');
  });

  it('lets a process that stops early exit without waiting on exports queued ahead that no read took', async () => {
    sandbox = await shopifySandbox(store(30, 5, 6));
    const connector = join(__dirname, '../../dist/connectors/shopify/shopify.connector.js');
    // A run that prepares its three reads and then stops (a failure, a pause) before reading any.
    const script = `
      const { ShopifyConnector } = require(${JSON.stringify(connector)});
      const connector = new ShopifyConnector(${JSON.stringify(sandbox.url)}, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 0 });
      const options = { cursor: null, pageSize: 10 };
      connector.prepareReads(['customers', 'products', 'orders'].map((entity) => ({ entity, options })));`;
    const code = await new Promise((resolve) =>
      spawn(process.execPath, ['-e', script], { stdio: 'inherit' }).on('exit', resolve),
    );
    expect(code).toBe(0);
    // It exited while the first export ran: the ones queued behind it were never started.
    const exported = async (n: number) =>
      (await gql(sandbox, `{ node(id: "gid://shopify/BulkOperation/${n}") { id } }`)).data.node as unknown;
    expect(await exported(1)).not.toBeNull();
    expect(await exported(2)).toBeNull();
  });

  it('joins its own export when the reply to starting it was lost after Shopify started it', async () => {
    sandbox = await shopifySandbox(store(40, 0, 0));
    const proxy = await startFaultProxy(sandbox.url, [
      { when: (r) => r.body.includes('bulkOperationRunQuery'), fault: 'lose-reply', every: 1, limit: 1 },
    ]);
    try {
      const connector = new ShopifyConnector(proxy.url, 'shpat_sandbox', { concurrency: 1, bulkReadFrom: 0 });
      const { records } = await readAll(connector, 'customers', 25);
      expect(proxy.lostAfterSave).toBe(1);
      expect(records).toHaveLength(40);
      // One export: the lost one, joined; none started twice.
      const second = await gql(sandbox, '{ currentBulkOperation { id } }');
      expect(second.data.currentBulkOperation.id).toBe('gid://shopify/BulkOperation/1');
    } finally {
      await proxy.close();
    }
  });

  it('exports what the same query answers page by page, for queries beyond the connector’s own', async () => {
    sandbox = await shopifySandbox(store(7, 2, 3));
    // Fields a row lacks (nullable: null; non-null: a default), objects, fragments, edges and relations.
    const customer =
      'id multipassIdentifier taxExempt displayName amountSpent { amount } defaultAddress { city zip }';
    const paged = await gql(sandbox, `{ customers(first: 250) { edges { node { ${customer} } } } }`);
    expect(await exported(sandbox, `{ customers { edges { node { ${customer} } } } }`)).toEqual(
      paged.data.customers.edges.map((edge: { node: unknown }) => edge.node),
    );
    const line = '__typename id sku quantity variant { sku product { title } }';
    const order =
      'id name cancelReason customer { email } ... on Order { totalPriceSet { shopMoney { amount } } }';
    const orders = await gql(
      sandbox,
      `{ orders(first: 5, query: "customer_id:1 OR customer_id:3") { nodes { ${order} lineItems(first: 20) { nodes { ${line} } } } } }`,
    );
    const expected = orders.data.orders.nodes.flatMap(({ lineItems, ...own }: Record<string, any>) => [
      own,
      ...lineItems.nodes.map((item: Record<string, unknown>) => ({ ...item, __parentId: own.id })),
    ]);
    expect(expected).toHaveLength(2 * 13);
    expect(
      await exported(
        sandbox,
        `{ orders(query: "customer_id:1 OR customer_id:3") { nodes { ${order} lineItems { nodes { ${line} } } } } }`,
      ),
    ).toEqual(expected);
  });

  it('is refused what Shopify refuses in a bulk query, and guards its result URL', async () => {
    sandbox = await shopifySandbox(store(2, 1, 1));
    const refused = async (query: string) => (await run(sandbox, query)).userErrors[0]?.message as string;
    expect(await refused('{ shop { name } }')).toMatch(/top-level connection|at least one connection/);
    expect(await refused('{ customers { nodes { id favouriteColour } } }')).toMatch(
      /Cannot query field "favouriteColour"/,
    );
    expect(await refused('{ orders { nodes { lineItems { nodes { id } } } } }')).toMatch(
      /must select the 'id' field.*'lineItems'/,
    );
    expect(await refused('mutation { customerDelete(input: { id: "x" }) { deletedCustomerId } }')).toMatch(
      /cannot contain mutations/,
    );
    const first = await run(sandbox, '{ customers { nodes { id } } }');
    const second = await run(sandbox, '{ products { nodes { id } } }');
    expect(first.userErrors).toEqual([]);
    expect(second.userErrors[0]).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
    let operation: Record<string, any>;
    do {
      operation = (
        await gql(
          sandbox,
          'query($id: ID!) { node(id: $id) { ... on BulkOperation { status url objectCount } } }',
          {
            id: first.bulkOperation.id,
          },
        )
      ).data.node;
    } while (operation.status !== 'COMPLETED');
    expect(operation.objectCount).toBe('2');
    const lines = (await (await fetch(operation.url)).text()).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { id: 'gid://shopify/Customer/1' },
      { id: 'gid://shopify/Customer/2' },
    ]);
    const forged = new URL(operation.url);
    forged.searchParams.set('signature', 'guess');
    expect((await fetch(forged)).status).toBe(403);
  });
});
