import { shopifySandbox, type ShopifySandbox } from '../../../test/helpers/sandboxes';
import { shopifyGraphql } from '../../../test/helpers/shopify-api';

/**
 * The sandbox answers `query:` searches from an index of exact values (email, tag, handle, …). These tests
 * hold it to what the Admin API does as records change: a lookup finds what the store holds now.
 */
const customer = (n: number, tags: string[] = []) => ({
  id: `gid://shopify/Customer/${n}`,
  email: `c${n}@example.com`,
  firstName: `C${n}`,
  tags,
});

describe('Shopify sandbox search', () => {
  let sandbox: ShopifySandbox;
  afterEach(async () => {
    await sandbox.close();
  });

  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const body = await shopifyGraphql<{ data: Record<string, any>; errors?: unknown }>(
      sandbox.url,
      query,
      variables,
    );
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  const customerIds = async (search: string) => {
    const data = await gql(
      `query($q: String) { customers(first: 250, query: $q) { nodes { legacyResourceId } } }`,
      {
        q: search,
      },
    );
    return (data.customers.nodes as { legacyResourceId: string }[])
      .map((node) => Number(node.legacyResourceId))
      .sort((a, b) => a - b);
  };
  const updateCustomer = async (input: Record<string, unknown>) =>
    (
      await gql(
        `mutation($input: CustomerInput!) { customerUpdate(input: $input) { customer { id } userErrors { field message } } }`,
        { input },
      )
    ).customerUpdate;
  const createCustomer = async (input: Record<string, unknown>) =>
    (
      await gql(
        `mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { field message } } }`,
        { input },
      )
    ).customerCreate;

  it('finds customers by tag and email as they are now: after an update, a delete, in any letter case', async () => {
    sandbox = await shopifySandbox({
      customers: [customer(1, ['vip', 'src:1']), customer(2, ['src:2']), customer(3, ['vip'])],
    });
    expect(await customerIds('tag:vip')).toEqual([1, 3]);
    expect(await customerIds('tag:src:1 OR tag:src:2 OR tag:src:9')).toEqual([1, 2]);
    expect(await customerIds('email:C2@Example.COM')).toEqual([2]);

    await updateCustomer({ id: 'gid://shopify/Customer/1', tags: ['src:1'], email: 'moved@example.com' });
    expect(await customerIds('tag:vip')).toEqual([3]);
    expect(await customerIds('email:c1@example.com')).toEqual([]);
    expect(await customerIds('email:moved@example.com')).toEqual([1]);

    await gql(`mutation { customerDelete(input: { id: "gid://shopify/Customer/3" }) { deletedCustomerId } }`);
    expect(await customerIds('tag:vip')).toEqual([]);
    // A term the index cannot answer alone still narrows correctly with it in the same group.
    expect(await customerIds('tag:src:1 first_name:C1')).toEqual([1]);
    expect(await customerIds('tag:src:1 first_name:C2')).toEqual([]);
  });

  it('answers negations, prefixes and ranges over the whole store', async () => {
    sandbox = await shopifySandbox({
      customers: [customer(1, ['vip']), customer(2), { ...customer(13), email: 'other@example.com' }],
    });
    expect(await customerIds('-tag:vip')).toEqual([2, 13]);
    expect(await customerIds('email:c1*')).toEqual([1]);
    expect(await customerIds('id:>1')).toEqual([2, 13]);
    expect(await customerIds('tag:vip OR email:other*')).toEqual([1, 13]);
  });

  it('keeps an email to one customer, and frees it when its holder takes another', async () => {
    sandbox = await shopifySandbox({ customers: [customer(1), customer(2)] });
    expect((await createCustomer({ email: 'C1@example.com' })).userErrors).toEqual([
      { field: ['email'], message: 'Email has already been taken' },
    ]);
    expect(
      (await updateCustomer({ id: 'gid://shopify/Customer/2', email: 'c1@EXAMPLE.com' })).userErrors,
    ).toHaveLength(1);
    expect(
      (await updateCustomer({ id: 'gid://shopify/Customer/1', email: 'new@example.com' })).userErrors,
    ).toEqual([]);
    expect((await createCustomer({ email: 'c1@example.com' })).userErrors).toEqual([]);
    // A customer may save its own email again.
    expect(
      (await updateCustomer({ id: 'gid://shopify/Customer/1', email: 'new@example.com' })).userErrors,
    ).toEqual([]);
  });

  it('gives a product a free handle, and refuses to delete a customer while an order is theirs', async () => {
    sandbox = await shopifySandbox({
      customers: [customer(1)],
      orders: [{ id: 'gid://shopify/Order/5', customer: { id: 'gid://shopify/Customer/1' }, lineItems: [] }],
    });
    const productSet = async (title: string) =>
      (
        await gql(
          `mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) { product { id handle } userErrors { message } } }`,
          { input: { title } },
        )
      ).productSet.product as { id: string; handle: string };
    const first = await productSet('Blue Mug');
    expect(first.handle).toBe('blue-mug');
    expect((await productSet('Blue Mug')).handle).toBe('blue-mug-1');
    expect((await productSet('Blue Mug')).handle).toBe('blue-mug-2');
    await gql(`mutation($id: ID!) { productDelete(input: { id: $id }) { deletedProductId } }`, {
      id: first.id,
    });
    expect((await productSet('Blue Mug')).handle).toBe('blue-mug');

    const deleteCustomer = async () =>
      (
        await gql(
          `mutation { customerDelete(input: { id: "gid://shopify/Customer/1" }) { deletedCustomerId userErrors { message } } }`,
        )
      ).customerDelete;
    expect((await deleteCustomer()).userErrors).toHaveLength(1);
    await gql(`mutation { orderDelete(orderId: "gid://shopify/Order/5") { deletedId } }`);
    expect(await deleteCustomer()).toEqual({ deletedCustomerId: 'gid://shopify/Customer/1', userErrors: [] });
  });

  it('with a search lag, finds a new or changed record by search only once the lag has passed', async () => {
    sandbox = await shopifySandbox({ customers: [customer(1, ['old'])] }, { searchLagMs: 400 });
    expect(await customerIds('tag:old')).toEqual([1]);
    const created = await gql(
      `mutation { customerCreate(input: { email: "new@example.com", tags: ["fresh"] }) { customer { legacyResourceId } } }`,
    );
    const id = Number(created.customerCreate.customer.legacyResourceId);
    expect(await customerIds('tag:fresh')).toEqual([]);
    expect(await customerIds('email:new@example.com')).toEqual([]);
    // A list without a query, and the record by id, read the shop as it is.
    expect(await customerIds('')).toEqual([1, id]);
    const byId = await gql(`{ customer(id: "gid://shopify/Customer/${id}") { tags } }`);
    expect(byId.customer.tags).toEqual(['fresh']);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await customerIds('tag:fresh')).toEqual([id]);
  });
  it("matches a tag holding the term's words in a row, as Shopify's tokenized search does", async () => {
    sandbox = await shopifySandbox({
      customers: [
        customer(1, ['peas']),
        customer(2, ['Peas in a pod']),
        customer(3, ['peasant']),
        customer(4, ['switchyard-source-12']),
        customer(5, ['switchyard-source-12-old']),
        customer(6, ['switchyard-source-123']),
        customer(7, ['source switchyard 12']),
      ],
    });
    expect(await customerIds("tag:'peas'")).toEqual([1, 2]);
    expect(await customerIds('tag:switchyard-source-12')).toEqual([4, 5]);
    expect(await customerIds('tag:switchyard-source-12 OR tag:peas')).toEqual([1, 2, 4, 5]);
    expect(await customerIds('-tag:peas')).toEqual([3, 4, 5, 6, 7]);
  });
});
