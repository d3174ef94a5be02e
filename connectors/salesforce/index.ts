import { registerPlatform } from '../../src/connectors';
import { salesforcePlatform } from './salesforce.platform';

registerPlatform(salesforcePlatform);
