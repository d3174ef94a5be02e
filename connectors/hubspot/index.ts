import { registerPlatform } from '../../src/connectors';
import { hubspotPlatform } from './hubspot.platform';

registerPlatform(hubspotPlatform);
