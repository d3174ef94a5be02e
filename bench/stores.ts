import { salesforceCrmSeed } from './crm-org';
import { demoShopifySeed } from '../src/demo/demo-store';

/** What a sandbox starts holding: a store or org of `size` customers, or nothing but its settings. */
export type SeedSpec =
  | { kind: 'shop'; customers: number }
  | { kind: 'salesforce-org'; customers: number }
  | { kind: 'empty'; seed?: Record<string, unknown> };

/**
 * Realistic proportions per customer: a product for every ten (each with 1 to 9 variants) and one and a half
 * orders of 1 to 4 lines. 100,000 customers make 10,000 products and 150,000 orders: 260,000 records.
 */
export function shopSize(customers: number) {
  return {
    customers,
    products: Math.max(10, Math.round(customers / 10)),
    orders: Math.round(customers * 1.5),
  };
}

/** A B2B org of the same size: an account per five contacts, two opportunities per account. */
export function orgSize(customers: number) {
  return { accounts: Math.max(1, Math.round(customers / 5)), contactsPerAccount: 5, dealsPerAccount: 2 };
}

export function seedOf(spec: SeedSpec): Record<string, unknown> | undefined {
  switch (spec.kind) {
    case 'shop':
      return demoShopifySeed(shopSize(spec.customers));
    case 'salesforce-org':
      return salesforceCrmSeed(orgSize(spec.customers));
    case 'empty':
      return spec.seed;
  }
}
