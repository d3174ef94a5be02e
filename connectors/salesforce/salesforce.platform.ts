import type { PlatformModule } from '../../src/connectors';
import { SalesforceConnector } from './salesforce.connector';
import { SALESFORCE_FACTS } from './salesforce.facts';
import { startSalesforceSandbox } from './sandbox/salesforce.sandbox';

export const salesforcePlatform: PlatformModule = {
  platform: 'salesforce',
  defaultCredentials: { accessToken: SALESFORCE_FACTS.sandboxAccessToken },
  // No per-second limit: the 24-hour allocation is kept by the client, from Sforce-Limit-Info.
  createConnector: (config, options) =>
    new SalesforceConnector(config.url, config.credentials.accessToken ?? '', options),
  startSandbox: (options) => startSalesforceSandbox(options),
};
