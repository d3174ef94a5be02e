import { registerPlatform } from '../../src/connectors';
import { shopifyPlatform } from './shopify.platform';

registerPlatform(shopifyPlatform);
