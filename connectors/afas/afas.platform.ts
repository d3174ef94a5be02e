import type { PlatformModule } from '../../src/connectors';
import { AfasConnector } from './afas.connector';
import { AFAS_SANDBOX_TOKEN_DATA, afasToken, startAfasSandbox } from './sandbox/afas.sandbox';

export const afasPlatform: PlatformModule = {
  platform: 'afas',
  // The sandbox's token: base64 of `<token><version>1</version><data>…</data></token>`.
  defaultCredentials: { token: afasToken(AFAS_SANDBOX_TOKEN_DATA) },
  createConnector: (config, options) =>
    new AfasConnector(config.url, config.credentials, options.limiter, options.books),
  startSandbox: (options) => startAfasSandbox(options),
};
