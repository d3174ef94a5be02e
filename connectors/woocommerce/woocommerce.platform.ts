import type { PlatformModule } from '../../src/connectors';
import { WOO_FACTS } from './woocommerce.facts';
import { WooConnector } from './woocommerce.connector';
import { startWooSandbox } from './sandbox/woocommerce.sandbox';

export const woocommercePlatform: PlatformModule = {
  platform: 'woocommerce',
  defaultCredentials: {
    consumerKey: WOO_FACTS.sandboxConsumerKey,
    consumerSecret: WOO_FACTS.sandboxConsumerSecret,
  },
  createConnector: (config, options) =>
    new WooConnector(
      config.url,
      config.credentials.consumerKey ?? '',
      config.credentials.consumerSecret ?? '',
      {
        limiter: options.limiter,
        concurrency: options.concurrency,
        unreachableImages: options.unreachableImages,
      },
    ),
  startSandbox: (options) => startWooSandbox(options),
};
