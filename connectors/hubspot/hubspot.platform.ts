import type { PlatformModule } from '../../src/connectors';
import { HUBSPOT_FACTS } from './hubspot.facts';
import { HubSpotConnector } from './hubspot.connector';
import { startHubSpotSandbox } from './sandbox/hubspot.sandbox';

export const hubspotPlatform: PlatformModule = {
  platform: 'hubspot',
  defaultCredentials: { accessToken: HUBSPOT_FACTS.sandboxAccessToken },
  // Starter's 100 calls per rolling 10 s, shared by every worker reaching the same portal.
  rateBudget: {
    capacity: HUBSPOT_FACTS.tenSecondlyLimit,
    windowMs: HUBSPOT_FACTS.tenSecondWindowMs,
  },
  createConnector: (config, options) =>
    new HubSpotConnector(config.url, config.credentials.accessToken ?? '', options),
  startSandbox: (options) => startHubSpotSandbox(options),
};
