/** WooCommerce REST wc/v3 facts the connector and sandbox share (shared/reference/ecommerce-apis.md §2). */
export const WOO_FACTS = {
  apiPrefix: '/wp-json/wc/v3',
  sandboxConsumerKey: 'ck_sandbox',
  sandboxConsumerSecret: 'cs_sandbox',
  /** WP core caps per_page at 100 (400 rest_invalid_param above). */
  maxPageSize: 100,
  defaultPageSize: 10,
  /** woocommerce_rest_batch_items_limit: create + update + delete together (413 above). */
  batchLimit: 100,
  /** OAuth 1.0a requests older than this are refused, as WC_REST_Authentication does. */
  oauthTimestampWindowSeconds: 15 * 60,
  /** Meta key that carries a migrated record's source id. */
  sourceIdMetaKey: '_switchyard_source_id',
} as const;
