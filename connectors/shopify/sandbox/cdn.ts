import { startFileHost } from '../../../src/connectors';

/** The host Shopify serves a shop's files from, and the seeds name. */
export const SHOPIFY_CDN = 'https://cdn.shopify.com/';

/**
 * cdn.shopify.com for a sandbox shop: a host of its own (so its downloads are not API calls), serving every
 * image path a shop's media names, so a destination that downloads images (WooCommerce) can fetch them.
 */
export function startCdn(host: string): Promise<{ url: string; close(): Promise<void> }> {
  return startFileHost(host);
}
