import { parsePlan } from '../plan/migration-plan';
import { EntityCleaner } from './cleaner';

const planWith = (cleaning: unknown) =>
  parsePlan(
    {
      name: 'p',
      source: { platform: 'shopify', url: 'http://127.0.0.1:1' },
      destination: { platform: 'woocommerce', url: 'http://127.0.0.1:2' },
      entities: ['customers', 'orders'],
      cleaning,
    },
    '.',
  );

describe('cleaning rules in a plan', () => {
  it('are refused, field by field, when they name something that is not a canonical field', () => {
    let message = '';
    try {
      planWith({
        customers: { merge: { on: 'addresses[].country' }, defaults: { 'addresses[].contry': 'NL' } },
        orders: { skip: [{ field: 'financialStatus', equals: 'voided', in: ['refunded'] }] },
        invoices: {},
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1).sort()).toEqual(
      [
        '  - cleaning.customers.merge.on: must be a single field, not a list',
        '  - cleaning.customers.defaults.addresses[].contry: addresses[].contry is not a field of the canonical customer',
        '  - cleaning.orders.skip.0: give exactly one of equals or in',
        '  - cleaning.invoices: "invoices" is not an entity',
      ].sort(),
    );
  });

  it('accept fields through lists, optional parts and refined schemas', () => {
    const plan = planWith({
      customers: { merge: { on: 'email' }, defaults: { 'addresses[].country': 'NL', phone: 'unknown' } },
      orders: {
        skip: [
          { field: 'billingAddress.country', in: ['XX'] },
          { field: 'tags', equals: 'test' },
        ],
      },
    });
    expect(plan.cleaning.customers?.merge?.on).toBe('email');
  });
});

describe('EntityCleaner', () => {
  const customers = new EntityCleaner({
    merge: { on: 'email' },
    defaults: { 'addresses[].country': 'NL', phone: 'unknown' },
    skip: [{ field: 'tags', in: ['test', 'spam'] }],
  });

  it('fills only missing values, in every element of a list, and never invents a parent', () => {
    const record = {
      phone: '',
      addresses: [{ country: null }, { country: 'BE' }, {}],
      billingAddress: null,
    };
    expect(customers.applyDefaults(record)).toEqual(['addresses[].country', 'phone']);
    expect(record).toEqual({
      phone: 'unknown',
      addresses: [{ country: 'NL' }, { country: 'BE' }, { country: 'NL' }],
      billingAddress: null,
    });
    const noAddresses: Record<string, unknown> = { phone: '+31', addresses: [] };
    expect(customers.applyDefaults(noAddresses)).toEqual([]);
    expect(noAddresses).toEqual({ phone: '+31', addresses: [] });
  });

  it('skips a record when any value of the field is in the category, and says which rule', () => {
    expect(customers.skipReason({ tags: ['vip', 'test'] })).toBe(
      `skipped by the plan's cleaning rule tags in [test, spam] (it is "test")`,
    );
    expect(customers.skipReason({ tags: ['vip'] })).toBeNull();
    expect(customers.skipReason({})).toBeNull();
    const orders = new EntityCleaner({ skip: [{ field: 'financialStatus', equals: 'voided' }] });
    expect(orders.skipReason({ financialStatus: 'voided' })).toMatch(/financialStatus = voided/);
  });

  it('keys merges on the trimmed, lower-cased value, and has none for an empty one', () => {
    expect(customers.mergeKey({ email: ' Anna@Example.com ' })).toBe('anna@example.com');
    expect(customers.mergeKey({ email: '' })).toBeNull();
    expect(new EntityCleaner({}).mergeKey({ email: 'a@b.c' })).toBeNull();
  });

  it('has a fingerprint only when it has rules, so plans without cleaning keep their ledger hashes', () => {
    expect(new EntityCleaner({}).fingerprint).toBeNull();
    expect(new EntityCleaner({ skip: [] }).fingerprint).toBeNull();
    expect(customers.fingerprint).toEqual(expect.any(String));
  });
});
