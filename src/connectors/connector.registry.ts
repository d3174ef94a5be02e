import { hubspotPlatform } from '../../connectors/hubspot/hubspot.platform';
import { salesforcePlatform } from '../../connectors/salesforce/salesforce.platform';
import { shopifyPlatform } from '../../connectors/shopify/shopify.platform';
import { woocommercePlatform } from '../../connectors/woocommerce/woocommerce.platform';
import { SwitchyardError } from '../common/errors';
import type { CallLimiter, ConnectionConfig, Connector, RateBudget } from './connector.port';

export interface SandboxOptions {
  port: number;
  host?: string;
  /** `{ "<entity>": [native records] }`, plus platform settings a sandbox reads (shop, currency). */
  seed?: Record<string, unknown>;
  latencyMs?: number;
  rateLimit?: boolean;
  credentials?: Record<string, string>;
}

export interface RunningSandbox {
  url: string;
  port: number;
  /** Write calls served (creates, updates, deletes) and rate-limit refusals: what tests and dry runs check. */
  counters(): { writes: number; throttled: number; requests: number };
  close(): Promise<void>;
}

export interface ConnectorOptions {
  /** Concurrent write calls the connector may make. */
  concurrency: number;
  /** Shared pacing (service mode: a Redis bucket for all workers); the connector's own throttling still applies. */
  limiter?: CallLimiter;
}

/** A platform is one folder under connectors/ and one line here. */
export interface PlatformModule {
  platform: string;
  defaultCredentials: Record<string, string>;
  /** The platform's documented rate budget, if it has one; workers share it through Redis. */
  rateBudget?: RateBudget;
  createConnector(config: ConnectionConfig, options: ConnectorOptions): Connector;
  startSandbox(options: SandboxOptions): Promise<RunningSandbox>;
}

const PLATFORMS: Record<string, PlatformModule> = {
  hubspot: hubspotPlatform,
  salesforce: salesforcePlatform,
  shopify: shopifyPlatform,
  woocommerce: woocommercePlatform,
};

export function platformModule(platform: string): PlatformModule {
  const found = PLATFORMS[platform];
  if (!found) {
    throw new SwitchyardError(
      'PLAN_INVALID',
      `unknown platform "${platform}"; available: ${Object.keys(PLATFORMS).join(', ')}`,
    );
  }
  return found;
}
