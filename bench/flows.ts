import type { RateBudget } from '../src/connectors/connector.port';
import type { SeedSpec } from './stores';

/** Where a flow's records come from: a sandbox of its own, or the destination a named flow just filled. */
export type SourceOf = { platform: string; seed: SeedSpec } | { filledBy: string; platform: string };

export interface Flow {
  name: string;
  source: SourceOf;
  destination: { platform: string; seed: SeedSpec };
  entities: string[];
  /** Extra plan lines (mappings a destination needs). */
  plan?: Record<string, unknown>;
  /**
   * The destination's documented budget with its limits on: at most `requests` in any `windowMs` (a rolling
   * window, as both HubSpot and a managed WordPress host count), each carrying up to `batch` records.
   */
  ceiling?: { batch: number; requests: number; windowMs: number; basis: string };
  /**
   * A limit no reply of the destination states (a web host's): with limits on, the plan and the service's
   * connection state it, as a user of that host would, and the hub paces to it instead of learning it from 429s.
   */
  statedLimit?: RateBudget;
  baseline?: string;
}

const HUBSPOT_OWNERS = {
  kind: 'empty' as const,
  seed: {
    currency: 'EUR',
    owners: [
      { id: '601', email: 'anna@acme.example', firstName: 'Anna', lastName: 'Jansen' },
      { id: '602', email: 'bram@acme.example', firstName: 'Bram', lastName: 'de Vries' },
      { id: '603', email: 'carla@acme.example', firstName: 'Carla', lastName: 'Visser' },
    ],
  },
};

export const FLOWS: Flow[] = [
  {
    name: 'shopify-to-woocommerce',
    source: { platform: 'shopify', seed: { kind: 'shop', customers: 0 } },
    destination: { platform: 'woocommerce', seed: { kind: 'empty', seed: { currency: 'EUR' } } },
    entities: ['customers', 'products', 'orders'],
    // The sandbox's host limit (50 requests a second, as a managed WordPress host sets) × batch of 100.
    ceiling: { batch: 100, requests: 50, windowMs: 1000, basis: '50 requests a second × 100 per batch' },
    statedLimit: { capacity: 50, windowMs: 1000 },
    baseline: 'shopify-to-woocommerce',
  },
  {
    name: 'woocommerce-to-shopify',
    source: { filledBy: 'shopify-to-woocommerce', platform: 'woocommerce' },
    destination: { platform: 'shopify', seed: { kind: 'empty', seed: { shop: { currencyCode: 'EUR' } } } },
    entities: ['customers', 'products', 'orders'],
  },
  {
    name: 'shopify-to-hubspot',
    source: { platform: 'shopify', seed: { kind: 'shop', customers: 0 } },
    destination: { platform: 'hubspot', seed: { kind: 'empty', seed: { currency: 'EUR' } } },
    entities: ['customers', 'products', 'orders'],
    plan: {
      mappings: {
        'hubspot.order': { valueMaps: { 'outbound.dealstage': { pending: 'appointmentscheduled' } } },
      },
    },
    // 100 requests per rolling 10 s (private app, Free/Starter) × batch of 100.
    ceiling: {
      batch: 100,
      requests: 100,
      windowMs: 10_000,
      basis: '100 requests per rolling 10 s × 100 per batch',
    },
    baseline: 'shopify-to-hubspot',
  },
  {
    name: 'salesforce-to-hubspot',
    source: { platform: 'salesforce', seed: { kind: 'salesforce-org', customers: 0 } },
    destination: { platform: 'hubspot', seed: HUBSPOT_OWNERS },
    entities: ['users', 'organizations', 'contacts', 'products', 'deals'],
    ceiling: {
      batch: 100,
      requests: 100,
      windowMs: 10_000,
      basis: '100 requests per rolling 10 s × 100 per batch',
    },
    baseline: 'salesforce-to-hubspot',
  },
];

/** The flow's seeds at a size. */
export function sized(spec: SeedSpec, customers: number): SeedSpec {
  return spec.kind === 'empty' ? spec : { ...spec, customers };
}
