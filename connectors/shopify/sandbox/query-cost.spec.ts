import { shopifySandbox, type ShopifySandbox } from '../../../test/helpers/sandboxes';
import { shopifyGraphql } from '../../../test/helpers/shopify-api';

/**
 * Shopify reserves a query's requested cost before it runs and charges what the answer held: "the actual
 * cost" counts the nodes a connection returned, and the difference goes back to the bucket. A migration's
 * lookups ask for up to 250 records and usually find a handful, so this is what keeps them cheap.
 */
interface Cost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

const customer = (n: number) => ({ id: `gid://shopify/Customer/${n}`, email: `c${n}@example.com` });

describe('Shopify sandbox query cost', () => {
  let sandbox: ShopifySandbox;
  afterEach(async () => {
    await sandbox.close();
  });

  const cost = async (query: string, variables: Record<string, unknown> = {}) => {
    const body = await shopifyGraphql<{ errors?: unknown; extensions: { cost: Cost } }>(
      sandbox.url,
      query,
      variables,
    );
    return { ...body.extensions.cost, errors: body.errors };
  };

  it('charges the nodes a connection returned and gives the rest of the reservation back', async () => {
    sandbox = await shopifySandbox({ customers: [1, 2, 3].map(customer) }, { rateLimit: true });
    const nodes = await cost('{ customers(first: 250) { nodes { id email } } }');
    expect(nodes.requestedQueryCost).toBe(2 + 250);
    expect(nodes.actualQueryCost).toBe(2 + 3);
    // The bucket starts full and lost only the 5 points charged (the refill in between is capped at the top).
    expect(nodes.throttleStatus.currentlyAvailable).toBe(995);

    const edges = await cost(
      'query($n: Int) { customers(first: $n) { edges { cursor node { id } } pageInfo { hasNextPage } } }',
      { n: 10 },
    );
    expect(edges.requestedQueryCost).toBe(2 + 10 + 1);
    expect(edges.actualQueryCost).toBe(2 + 3 + 1);
  });

  it('charges a nested connection per node it returned, and an empty answer the connection alone', async () => {
    sandbox = await shopifySandbox(
      {
        customers: [customer(1)],
        orders: [
          { id: 'gid://shopify/Order/1', customer: { id: 'gid://shopify/Customer/1' }, lineItems: [] },
          {
            id: 'gid://shopify/Order/2',
            customer: { id: 'gid://shopify/Customer/1' },
            lineItems: [
              { title: 'A', quantity: 1 },
              { title: 'B', quantity: 2 },
            ],
          },
        ],
      },
      { rateLimit: true },
    );
    const orders = await cost(
      '{ orders(first: 10) { nodes { id customer { id } lineItems(first: 20) { nodes { name } } } } }',
    );
    // Per order: itself 1, its customer 1, its lines' connection 2 + one per line.
    expect(orders.requestedQueryCost).toBe(2 + 10 * (1 + 1 + 2 + 20));
    expect(orders.actualQueryCost).toBe(2 + (1 + 1 + 2 + 0) + (1 + 1 + 2 + 2));
    const none = await cost('{ customers(first: 100, query: "email:nobody@example.com") { nodes { id } } }');
    expect(none.actualQueryCost).toBe(2);
  });

  it('charges a mutation its flat 10, and a throttled query nothing', async () => {
    const many = Array.from({ length: 250 }, (_, i) => customer(i + 1));
    sandbox = await shopifySandbox({ customers: many }, { rateLimit: true });
    const created = await cost(
      'mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { message } } }',
      { input: { email: 'new@example.com' } },
    );
    expect([created.requestedQueryCost, created.actualQueryCost]).toEqual([10, 10]);
    // Pages of 250 that come back full cost what they asked for; drain the bucket with them.
    const page = '{ customers(first: 250) { nodes { id } } }';
    let left = created.throttleStatus.currentlyAvailable;
    while (left >= 252) {
      const full = await cost(page);
      expect(full.actualQueryCost).toBe(252);
      left = full.throttleStatus.currentlyAvailable;
    }
    const refused = await cost(page);
    expect(refused.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'THROTTLED' }) }),
    ]);
    expect(refused.actualQueryCost).toBeNull();
    expect(refused.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(left);
  });
});
