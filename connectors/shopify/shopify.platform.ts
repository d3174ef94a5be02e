import type { PlatformModule } from '../../src/connectors';
import { SHOPIFY_FACTS } from './shopify.facts';
import { ShopifyConnector } from './shopify.connector';
import { startShopifySandbox } from './sandbox/shopify.sandbox';

export const shopifyPlatform: PlatformModule = {
  platform: 'shopify',
  defaultCredentials: { accessToken: SHOPIFY_FACTS.sandboxToken },
  rateBudget: { capacity: SHOPIFY_FACTS.bucketSize, refillPerSecond: SHOPIFY_FACTS.restoreRate },
  createConnector: (config, options) =>
    new ShopifyConnector(config.url, config.credentials.accessToken ?? '', options),
  startSandbox: (options) => startShopifySandbox(options),
};
