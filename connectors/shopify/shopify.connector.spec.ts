import { type LoadItem, type NativeRecord, SwitchyardError } from '../../src/connectors';
import { shopifySandbox, type ShopifySandbox } from '../../test/helpers/sandboxes';
import { ShopifyConnector } from './shopify.connector';

const customer = (n: number) => ({
  id: `gid://shopify/Customer/${n}`,
  email: `c${n}@example.com`,
  firstName: `C${n}`,
  createdAt: '2025-01-01T00:00:00Z',
});
const product = (n: number) => ({
  id: `gid://shopify/Product/${n}`,
  title: `P${n}`,
  handle: `p-${n}`,
  options: [{ name: 'Title', values: ['Default Title'] }],
  variants: [
    {
      id: `gid://shopify/ProductVariant/${n}00`,
      sku: `SKU-${n}`,
      price: '1.00',
      selectedOptions: [{ name: 'Title', value: 'Default Title' }],
    },
  ],
});

async function pages(
  connector: ShopifyConnector,
  entity: 'customers' | 'products' | 'orders',
  pageSize: number,
  cursor: string | null = null,
) {
  const sizes: number[] = [];
  const records: NativeRecord[] = [];
  for await (const page of connector.read(entity, { cursor, pageSize })) {
    sizes.push(page.records.length);
    records.push(...page.records);
  }
  return { sizes, records };
}

const gql = async (sandbox: ShopifySandbox, query: string, token = 'shpat_sandbox') => {
  const response = await fetch(`${sandbox.url}/admin/api/2025-01/graphql.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': token },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describe('Shopify connector against its sandbox', () => {
  let sandbox: ShopifySandbox;
  afterEach(async () => {
    await sandbox.close();
  });

  it('reads an empty store as one empty page', async () => {
    sandbox = await shopifySandbox();
    const { sizes } = await pages(
      new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 2 }),
      'customers',
      50,
    );
    expect(sizes).toEqual([0]);
  });

  it('reads exactly one page, and 25 + 10 across a page boundary, with every variant', async () => {
    sandbox = await shopifySandbox({
      customers: Array.from({ length: 50 }, (_, i) => customer(i + 1)),
      products: Array.from({ length: 35 }, (_, i) => product(i + 1)),
    });
    // Paged, not a bulk export (shopify.bulk.spec.ts reads the same store both ways).
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', {
      concurrency: 2,
      bulkReadFrom: 1_000_000,
    });
    expect((await pages(connector, 'customers', 50)).sizes).toEqual([50]);
    const products = await pages(connector, 'products', 100);
    expect(products.sizes).toEqual([25, 10]);
    expect(products.records.map((p) => (p.variants as NativeRecord[])[0].sku)).toEqual(
      Array.from({ length: 35 }, (_, i) => `SKU-${i + 1}`),
    );
  });

  it('resumes from a cursor after the first page', async () => {
    sandbox = await shopifySandbox({ customers: Array.from({ length: 7 }, (_, i) => customer(i + 1)) });
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 1 });
    const iterator = connector.read('customers', { cursor: null, pageSize: 3 })[Symbol.asyncIterator]();
    const first = (await iterator.next()).value as { nextCursor: string };
    const rest = await pages(connector, 'customers', 3, first.nextCursor);
    expect(rest.records.map((c) => c.email)).toEqual([
      'c4@example.com',
      'c5@example.com',
      'c6@example.com',
      'c7@example.com',
    ]);
  });

  it('waits out the HTTP 200 THROTTLED body instead of failing', async () => {
    sandbox = await shopifySandbox(
      { customers: Array.from({ length: 120 }, (_, i) => customer(i + 1)) },
      { rateLimit: true },
    );
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 4 });
    // Three reads of 120 customers cost ~1,090 points together: more than the 1,000-point bucket holds.
    const results = await Promise.all([1, 2, 3].map(() => pages(connector, 'customers', 120)));
    expect(results.map((r) => r.records.length)).toEqual([120, 120, 120]);
    expect(sandbox.counters().throttled + connector.stats.throttleWaits).toBeGreaterThan(0);
  });

  it('is refused what the real API refuses: unknown fields, first > 250, a wrong token', async () => {
    sandbox = await shopifySandbox();
    expect(
      (await gql(sandbox, '{ customers(first: 5) { nodes { id favouriteColour } } }')).body.errors[0].message,
    ).toMatch(/Cannot query field "favouriteColour" on type "Customer"/);
    expect((await gql(sandbox, '{ customers(first: 251) { nodes { id } } }')).body.errors[0].message).toMatch(
      /between 0 and 250/,
    );
    expect(await gql(sandbox, '{ shop { name } }', 'shpat_wrong')).toEqual({
      status: 401,
      body: { errors: expect.stringMatching(/Invalid API key or access token/) },
    });
    await expect(
      new ShopifyConnector(sandbox.url, 'shpat_wrong', { concurrency: 1 }).check(),
    ).rejects.toMatchObject({ code: 'PLATFORM_AUTH' });
    await expect(
      new ShopifyConnector('http://127.0.0.1:9', 'shpat_sandbox', { concurrency: 1 }).check(),
    ).rejects.toBeInstanceOf(SwitchyardError);
  });

  it("fails only the records Shopify refuses, with Shopify's reason, and updates by email instead of duplicating", async () => {
    sandbox = await shopifySandbox({ customers: [customer(1)] });
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 2 });
    const items: LoadItem[] = [
      { sourceId: 'a', payload: { email: 'c1@example.com', firstName: 'Updated' } },
      { sourceId: 'b', payload: { email: 'new@example.com', firstName: 'New' } },
      { sourceId: 'c', payload: { email: 'broken-address', firstName: 'Bad' } },
    ];
    const outcomes = await connector.upsert('customers', items);
    expect(outcomes).toEqual([
      { sourceId: 'a', action: 'updated', destinationId: 'gid://shopify/Customer/1' },
      {
        sourceId: 'b',
        action: 'created',
        destinationId: expect.stringMatching(/^gid:\/\/shopify\/Customer\/\d+$/),
      },
      { sourceId: 'c', action: 'failed', error: 'Shopify refused it: email: Email is invalid' },
    ]);
    expect(await connector.count('customers')).toBe(2);
  });

  it('creates a cancelled order and then cancels it, and cancels an existing order only once', async () => {
    sandbox = await shopifySandbox({ shop: { currencyCode: 'EUR' } });
    const connector = new ShopifyConnector(sandbox.url, 'shpat_sandbox', { concurrency: 2 });
    const order = (cancelled: boolean) => ({
      currency: 'EUR',
      lineItems: [
        { title: 'Mug', quantity: 1, priceSet: { shopMoney: { amount: '5.00', currencyCode: 'EUR' } } },
      ],
      cancelled,
    });
    const [cancelled, open] = await connector.upsert('orders', [
      { sourceId: 'o1', payload: order(true) },
      { sourceId: 'o2', payload: order(false) },
    ]);
    const cancelledAt = (outcome: typeof cancelled) =>
      sandbox.store.byGid('destinationId' in outcome ? outcome.destinationId : '')?.cancelledAt as
        string | null;
    expect(cancelledAt(cancelled)).toEqual(expect.any(String));
    expect(cancelledAt(open)).toBeNull();
    // The source cancels o2 later; o1 is already cancelled and is left alone (a second cancel is refused).
    const writes = sandbox.counters().writes;
    const again = await connector.upsert('orders', [
      { sourceId: 'o1', payload: order(true) },
      { sourceId: 'o2', payload: order(true) },
    ]);
    expect(again.map((outcome) => outcome.action)).toEqual(['updated', 'updated']);
    expect(cancelledAt(again[1])).toEqual(expect.any(String));
    expect(sandbox.counters().writes).toBe(writes + 1);
    expect(await connector.count('orders')).toBe(2);
  });
});
