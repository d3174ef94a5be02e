import { SwitchyardError } from '../common/errors';
import { compileDirection } from './mapping.compiler';
import { loadMapping } from './mapping.loader';

const context = { currency: 'EUR' };
const compile = (fields: Parameters<typeof compileDirection>[1], extra?: { consumes: string[] }) =>
  compileDirection({ mapping: 'test.thing' }, fields, extra);

describe('mapping compiler', () => {
  it('reads plain and nested paths', async () => {
    const map = compile({ email: 'contact.email', city: 'addresses.0.city', missing: 'nope.nothing' });
    await expect(
      map({ contact: { email: 'a@b.nl' }, addresses: [{ city: 'Gent' }] }, context),
    ).resolves.toEqual({ email: 'a@b.nl', city: 'Gent' });
  });

  it('applies value maps, the * fallback, and passes unknown values through for validation to catch', async () => {
    const map = compile({
      status: { path: 's', map: { ACTIVE: 'active' } },
      kind: { path: 'k', map: { A: 'a', '*': 'other' } },
    });
    await expect(map({ s: 'ACTIVE', k: 'Z' }, context)).resolves.toEqual({ status: 'active', kind: 'other' });
    await expect(map({ s: 'WEIRD', k: 'A' }, context)).resolves.toEqual({ status: 'WEIRD', kind: 'a' });
  });

  it('uses defaults for missing, null and empty values', async () => {
    const map = compile({ tags: { path: 't', default: [] }, note: { path: 'n', default: 'none' } });
    await expect(map({ n: '' }, context)).resolves.toEqual({ tags: [], note: 'none' });
  });

  it('turns ids into references, and no id into null', async () => {
    const map = compile({
      customer: { path: 'c.id', ref: 'customer' },
      line: { path: 'v.product.id', ref: 'product', sku: 'v.sku' },
    });
    await expect(
      map({ c: { id: 7 }, v: { sku: 'X-1', product: { id: 'gid://shopify/Product/9' } } }, context),
    ).resolves.toEqual({
      customer: { entity: 'customer', sourceId: '7' },
      line: { entity: 'product', sourceId: 'gid://shopify/Product/9', sku: 'X-1' },
    });
    await expect(map({ c: null }, context)).resolves.toMatchObject({ customer: null, line: null });
  });

  it('maps each element of a list and evaluates JSONata with $ctx, $root and money helpers', async () => {
    const map = compile({
      lines: {
        each: 'items',
        fields: { sku: 'sku', price: { expr: '$money(p, $ctx.currency)' }, order: { expr: '$root.name' } },
      },
      total: { expr: '$dsum(items.p)' },
    });
    await expect(
      map(
        {
          name: '#1',
          items: [
            { sku: 'A', p: '1.10' },
            { sku: 'B', p: '2.20' },
          ],
        },
        context,
      ),
    ).resolves.toEqual({
      lines: [
        { sku: 'A', price: { amount: '1.10', currency: 'EUR' }, order: '#1' },
        { sku: 'B', price: { amount: '2.20', currency: 'EUR' }, order: '#1' },
      ],
      total: '3.30',
    });
  });

  it('keeps fields no mapping consumed in extra, so nothing is dropped unseen', async () => {
    const map = compile({ email: 'email' }, { consumes: ['internal'] });
    await expect(map({ email: 'a@b.nl', internal: 1, loyaltyPoints: 40 }, context)).resolves.toEqual({
      email: 'a@b.nl',
      extra: { loyaltyPoints: 40 },
    });
  });

  it('refuses a bad expression when it is compiled, naming the mapping and field', () => {
    expect(() => compile({ broken: { expr: '$money(' } })).toThrow(SwitchyardError);
    expect(() => compile({ broken: { expr: '$money(' } })).toThrow(/test\.thing, field broken/);
  });

  it('refuses to relabel money in another currency', async () => {
    const map = compile({ price: { expr: '$inCurrency(p, $ctx.currency)' } });
    await expect(map({ p: { amount: '5.00', currency: 'USD' } }, context)).rejects.toThrow(
      /in USD but the destination store uses EUR/,
    );
  });
});

describe('mapping loader', () => {
  it('loads the newest version, keyed by id, version and content hash', () => {
    const mapping = loadMapping('shopify', 'customer');
    expect(mapping.key).toMatch(/^shopify\.customer@v1#[0-9a-f]{16}$/);
  });

  it('refuses a version that does not exist, listing those that do', () => {
    expect(() => loadMapping('shopify', 'customer', { version: 9 })).toThrow(/no version 9; available: 1/);
  });

  it('refuses a mapping file for another entity', () => {
    expect(() => loadMapping('shopify', 'order', { file: 'mappings/shopify/customer.v1.yaml' })).toThrow(
      /declares shopify\.customer, expected shopify\.order/,
    );
  });
});
