import type { PlatformModule } from '../../src/connectors';
import { ExactConnector } from './exact.connector';
import { EXACT_FACTS } from './exact.facts';
import { startExactSandbox } from './sandbox/exact.sandbox';

export const exactPlatform: PlatformModule = {
  platform: 'exact-online',
  defaultCredentials: { ...EXACT_FACTS.sandboxCredentials },
  // 60 calls a minute per division, shared by every worker on it.
  rateBudget: { capacity: EXACT_FACTS.minutelyLimit, refillPerSecond: EXACT_FACTS.minutelyLimit / 60 },
  createConnector: (config, options) =>
    new ExactConnector(config.url, config.credentials, {
      vault: options.vault,
      limiter: options.limiter,
      cutoffDate: options.books?.cutoffDate,
    }),
  startSandbox: (options) => startExactSandbox(options),
};
