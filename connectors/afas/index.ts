import { registerPlatform } from '../../src/connectors';
import { afasPlatform } from './afas.platform';

registerPlatform(afasPlatform);
