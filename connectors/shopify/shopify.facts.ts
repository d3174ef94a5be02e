/**
 * Shopify Admin API facts the connector and sandbox share (shared/reference/ecommerce-apis.md §1).
 * Numbers are the documented defaults; throttling is driven by each response's throttleStatus.
 */
export const SHOPIFY_FACTS = {
  apiVersion: '2025-01',
  sandboxToken: 'shpat_sandbox',
  /** Connections return at most 250 nodes. */
  maxPageSize: 250,
  /** An input array holds at most 250 items (MAX_INPUT_SIZE_EXCEEDED; shopify.dev/docs/api/usage/limits). */
  maxInputArray: 250,
  /** A single query may not request more than 1000 cost points (MAX_COST_EXCEEDED). */
  maxQueryCost: 1000,
  /** Leaky bucket of the calculated-cost limit: 1000 points, 50 restored per second. */
  bucketSize: 1000,
  restoreRate: 50,
  /** Development and trial shops create at most 5 orders a minute: one every 12 s, with room for latency. */
  developmentOrderSpacingMs: 12_500,
  /** Tag that carries a migrated order's source id, so a retry finds the order instead of doubling it. */
  sourceTagPrefix: 'switchyard-source-',
} as const;
