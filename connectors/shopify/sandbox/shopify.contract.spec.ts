import { API_VERSIONS, DEVELOPMENT_ORDERS, INPUT_ARRAY_MAX, PHONE } from './shopify.contract';
import { startShopifySandbox } from './shopify.sandbox';

/**
 * The refusals shopify.contract.ts states, each probed through the sandbox's GraphQL endpoint and answered
 * as the Admin API answers it. Counts what it probed; the first answer that differs fails the suite.
 */
describe('Shopify sandbox against the Admin API’s stated limits', () => {
  let sandbox: Awaited<ReturnType<typeof startShopifySandbox>>;
  let probed = 0;
  const post = async (query: string, variables: Record<string, unknown> = {}, version = '2025-01') => {
    probed++;
    const response = await fetch(`${sandbox.url}/admin/api/${version}/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_sandbox' },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      version: response.headers.get('x-shopify-api-version'),
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Record<string, any>,
    };
  };
  const createCustomer = async (input: Record<string, unknown>) =>
    (
      await post(
        'mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id phone addresses { phone } } userErrors { field message } } }',
        { input },
      )
    ).body.data.customerCreate;
  const ORDER_CREATE =
    'mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } userErrors { field message code } } }';
  const order = (extra: Record<string, unknown> = {}) => ({
    currency: 'EUR',
    lineItems: [
      { title: 'Mug', quantity: 1, priceSet: { shopMoney: { amount: '5.00', currencyCode: 'EUR' } } },
    ],
    ...extra,
  });

  afterEach(async () => {
    await sandbox.close();
  });
  afterAll(() => {
    process.stdout.write(`Shopify contract: ${probed} requests probed\n`);
  });

  it(`serves ${API_VERSIONS.served}, falls an older version forward to it, and serves no version it lacks`, async () => {
    sandbox = await startShopifySandbox({ port: 0 });
    const query = '{ shop { name } }';
    for (const version of ['2023-07', '2024-10', API_VERSIONS.served]) {
      const answer = await post(query, {}, version);
      expect([answer.status, answer.version, answer.body.data?.shop?.name]).toEqual([
        200,
        API_VERSIONS.served,
        'Switchyard Sandbox',
      ]);
    }
    for (const version of ['2025-04', '2099-01', 'unstable', '2025-02', 'latest']) {
      const answer = await post(query, {}, version);
      expect([answer.status, answer.body]).toEqual([404, { errors: 'Not Found' }]);
    }
  });

  it(`refuses an input array of more than ${INPUT_ARRAY_MAX.items} items before anything runs`, async () => {
    sandbox = await startShopifySandbox({ port: 0 });
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    expect((await createCustomer({ email: 'a@example.com', tags: tags(250) })).userErrors).toEqual([]);
    const refused = await post(
      'mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } } }',
      { input: { email: 'b@example.com', tags: tags(251) } },
    );
    expect(refused.body).toEqual({
      errors: [
        {
          message: 'The input array size of 251 is greater than the maximum allowed of 250.',
          path: ['input', 'tags'],
          extensions: { code: INPUT_ARRAY_MAX.code },
        },
      ],
    });
    expect(sandbox.store.customers.size).toBe(1);
  });

  it('keeps a customer phone valid and unique, and every address phone in E.164', async () => {
    sandbox = await startShopifySandbox({ port: 0 });
    expect(await createCustomer({ lastName: 'A', phone: '06-1234 5678 (mobiel)' })).toEqual({
      customer: null,
      userErrors: [{ field: ['phone'], message: PHONE.invalid }],
    });
    const kept = await createCustomer({ lastName: 'B', phone: '+31 6 12345678' });
    expect(kept).toMatchObject({ customer: { phone: '+31612345678' }, userErrors: [] });
    expect(await createCustomer({ lastName: 'C', phone: '+31612345678' })).toEqual({
      customer: null,
      userErrors: [{ field: ['phone'], message: PHONE.taken }],
    });
    expect(
      await createCustomer({
        lastName: 'D',
        addresses: [{ city: 'Utrecht', phone: '+31201234567' }, { phone: '020 1234567' }],
      }),
    ).toEqual({
      customer: null,
      userErrors: [{ field: ['addresses', '1', 'phone'], message: PHONE.invalid }],
    });
    const refusedOrder = await post(ORDER_CREATE, {
      order: order({ billingAddress: { city: 'Utrecht', phone: 'call me' } }),
    });
    expect(refusedOrder.body.data.orderCreate).toEqual({
      order: null,
      userErrors: [{ field: ['order', 'billingAddress', 'phone'], message: PHONE.invalid, code: 'INVALID' }],
    });
  });

  it(`lets a development shop create ${DEVELOPMENT_ORDERS.perMinute} orders a minute, and answers the next with 429`, async () => {
    sandbox = await startShopifySandbox({ port: 0, storePlan: 'development' });
    expect((await post('{ shop { plan { displayName partnerDevelopment } } }')).body.data.shop.plan).toEqual({
      displayName: DEVELOPMENT_ORDERS.plan.displayName,
      partnerDevelopment: true,
    });
    for (let n = 0; n < DEVELOPMENT_ORDERS.perMinute; n++)
      expect((await post(ORDER_CREATE, { order: order() })).body.data.orderCreate.userErrors).toEqual([]);
    const refused = await post(ORDER_CREATE, { order: order() });
    expect([refused.status, refused.body]).toEqual([429, { errors: DEVELOPMENT_ORDERS.message }]);
    expect(Number(refused.retryAfter)).toBeGreaterThan(50);
    expect(sandbox.store.orders.size).toBe(DEVELOPMENT_ORDERS.perMinute);
    // Reads and other writes are not limited.
    expect((await post('{ orders(first: 10) { nodes { id } } }')).status).toBe(200);
    expect((await createCustomer({ lastName: 'E' })).userErrors).toEqual([]);
  });

  it('lets a standard shop create orders without that limit', async () => {
    sandbox = await startShopifySandbox({ port: 0 });
    for (let n = 0; n <= DEVELOPMENT_ORDERS.perMinute; n++)
      expect((await post(ORDER_CREATE, { order: order() })).status).toBe(200);
    expect(sandbox.store.orders.size).toBe(DEVELOPMENT_ORDERS.perMinute + 1);
  });
});
