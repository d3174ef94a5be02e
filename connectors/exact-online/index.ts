import { registerPlatform } from '../../src/connectors';
import { exactPlatform } from './exact.platform';

registerPlatform(exactPlatform);
