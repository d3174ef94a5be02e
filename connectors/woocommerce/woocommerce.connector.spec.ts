import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import type { LoadItem } from '../../src/connectors';
import { wooSandbox, type WooSandbox } from '../../test/helpers/sandboxes';
import { WooConnector } from './woocommerce.connector';

const customers = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    email: `c${i + 1}@example.com`,
    first_name: `C${i + 1}`,
  }));

async function pageSizes(connector: WooConnector, pageSize: number, cursor: string | null = null) {
  const sizes: number[] = [];
  for await (const page of connector.read('customers', { cursor, pageSize })) sizes.push(page.records.length);
  return sizes;
}

const item = (sourceId: string, payload: Record<string, unknown>): LoadItem => ({
  sourceId,
  payload,
});

describe('WooCommerce connector against its sandbox', () => {
  let sandbox: WooSandbox;
  const connect = () => new WooConnector(sandbox.url, 'ck_sandbox', 'cs_sandbox');
  afterEach(async () => {
    await sandbox.close();
  });

  it('reads an empty list, exactly one page, and 100 + 50 across a page boundary', async () => {
    sandbox = await wooSandbox();
    expect(await pageSizes(connect(), 100)).toEqual([0]);
    await sandbox.close();
    sandbox = await wooSandbox({ customers: customers(100) });
    expect(await pageSizes(connect(), 100)).toEqual([100]);
    await sandbox.close();
    sandbox = await wooSandbox({ customers: customers(150) });
    expect(await pageSizes(connect(), 100)).toEqual([100, 50]);
    expect(await pageSizes(connect(), 100, '2')).toEqual([50]);
  });

  it('signs with OAuth 1.0a over http, and a wrong secret is refused as an auth error', async () => {
    sandbox = await wooSandbox({ customers: customers(3) });
    expect(await connect().count('customers')).toBe(3);
    await expect(new WooConnector(sandbox.url, 'ck_sandbox', 'cs_wrong').check()).rejects.toMatchObject({
      code: 'PLATFORM_AUTH',
      message: expect.stringMatching(/Invalid signature/),
    });
  });

  it('matches a create on source id and email, also when the store gained the email after its index was read', async () => {
    sandbox = await wooSandbox();
    const connector = connect();
    const [first] = await connector.upsert('customers', [
      item('a', { email: 'a@example.com', first_name: 'A' }),
    ]);
    expect(first).toMatchObject({ action: 'created' });
    // Another machine creates b@example.com (with no source id) after this connector read the store.
    const other = await connect().upsert('customers', [item('other', { email: 'b@example.com' })]);
    const [again, adopted] = await connector.upsert('customers', [
      item('a', { email: 'a@example.com', first_name: 'A2' }),
      item('b', { email: 'B@example.com', first_name: 'B' }),
    ]);
    expect(again).toMatchObject({
      action: 'updated',
      destinationId: 'destinationId' in first ? first.destinationId : '',
    });
    expect(adopted).toMatchObject({
      action: 'failed',
      error: expect.stringMatching(/for source record other/),
    });
    expect(other[0]).toMatchObject({ action: 'created' });
    // A customer the merchant made by hand carries no source id: it is adopted, not doubled.
    const manual = sandbox.store.create('customers', { email: 'c@example.com', first_name: 'C' });
    const [c] = await connector.upsert('customers', [item('c', { email: 'c@example.com', first_name: 'C' })]);
    expect(c).toMatchObject({ action: 'updated', destinationId: String(manual.id) });
    expect(sandbox.store.customers.size).toBe(3);
  });

  it('waits out 429s with Retry-After and still reads everything', async () => {
    sandbox = await wooSandbox({ customers: customers(300) }, { rateLimit: true });
    const connector = connect();
    // 20 readers of 10 small pages: 200 requests at once, far above the host's 50 a second even on a loaded
    // machine (pages of 100 were too slow to get there when the machine was busy).
    const results = await Promise.all(Array.from({ length: 20 }, () => pageSizes(connector, 30)));
    expect(results.every((sizes) => sizes.length === 10 && sizes.every((size) => size === 30))).toBe(true);
    expect(sandbox.counters().throttled).toBeGreaterThan(0);
    expect(connector.stats.throttleWaits).toBe(sandbox.counters().throttled);
  });

  it('refuses a batch of more than 100 items with 413, as WooCommerce does', async () => {
    sandbox = await wooSandbox();
    const api = new WooCommerceRestApi({
      url: sandbox.url,
      consumerKey: 'ck_sandbox',
      consumerSecret: 'cs_sandbox',
      version: 'wc/v3',
    });
    const create = Array.from({ length: 101 }, (_, i) => ({ email: `x${i}@example.com` }));
    await expect(api.post('customers/batch', { create })).rejects.toMatchObject({
      response: { status: 413, data: { code: 'woocommerce_rest_request_entity_too_large' } },
    });
  });

  it('splits 150 writes into batches of 100, and fails only the items WooCommerce refuses', async () => {
    sandbox = await wooSandbox({ customers: [{ id: 7, email: 'taken@example.com' }] });
    const items = [
      ...Array.from({ length: 148 }, (_, i) =>
        item(`s${i}`, { email: `new${i}@example.com`, first_name: 'N' }),
      ),
      item('dup', { email: 'taken@example.com', first_name: 'Updated' }),
      item('bad', { email: 'not-an-email' }),
    ];
    const before = sandbox.counters().requests;
    const outcomes = await connect().upsert('customers', items);
    expect(outcomes.filter((o) => o.action === 'created')).toHaveLength(148);
    expect(outcomes[148]).toEqual({ sourceId: 'dup', action: 'updated', destinationId: '7' });
    expect(outcomes[149]).toEqual({
      sourceId: 'bad',
      action: 'failed',
      error: 'WooCommerce refused it: rest_invalid_param: Invalid parameter(s): email',
    });
    expect(sandbox.store.customers.size).toBe(149);
    expect(sandbox.store.customers.get(7)?.first_name).toBe('Updated');
    // two create batches, one lookup of the taken email, one update batch
    expect(sandbox.counters().requests - before).toBe(4);
  });

  it('matches products on SKU and variations on SKU within their product', async () => {
    sandbox = await wooSandbox();
    const payload = {
      name: 'Hoodie',
      slug: 'hoodie',
      type: 'variable',
      sku: 'HOOD',
      attributes: [{ name: 'Size', options: ['S', 'M'], variation: true }],
    };
    const children = {
      variations: [
        { sku: 'HOOD-S', regular_price: '30.00', attributes: [{ name: 'Size', option: 'S' }] },
        { sku: 'HOOD-M', regular_price: '30.00', attributes: [{ name: 'Size', option: 'M' }] },
      ],
    };
    const connector = connect();
    const [first] = await connector.upsert('products', [{ ...item('p1', payload), children }]);
    const [again] = await connector.upsert('products', [
      { ...item('p1', { ...payload, name: 'Hoodie 2' }), children },
    ]);
    expect(first).toMatchObject({
      action: 'created',
      refs: { variants: { 'HOOD-S': expect.any(String), 'HOOD-M': expect.any(String) } },
    });
    expect(again).toMatchObject({
      action: 'updated',
      destinationId: 'destinationId' in first ? first.destinationId : '',
    });
    expect(sandbox.store.products.size).toBe(1);
    expect(sandbox.store.variations.size).toBe(2);
  });
});
