import { registerPlatform } from '../../src/connectors';
import { woocommercePlatform } from './woocommerce.platform';

registerPlatform(woocommercePlatform);
