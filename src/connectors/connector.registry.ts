import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SwitchyardError } from '../common/errors';
import type { CallLimiter, ConnectionConfig, Connector, RateBudget, TokenVault } from './connector.port';
import type { WriteWindow } from '../sandbox/http-sandbox';

export interface SandboxOptions {
  port: number;
  host?: string;
  /** `{ "<entity>": [native records] }`, plus platform settings a sandbox reads (shop, currency). */
  seed?: Record<string, unknown>;
  latencyMs?: number;
  rateLimit?: boolean;
  credentials?: Record<string, string>;
  /** Calls a day the sandbox answers before its daily 429 (platforms with a daily quota). */
  dailyQuota?: number;
  /** How long an access token lives, where the platform's expire (Exact Online). */
  tokenSeconds?: number;
  /** Shopify: how long a write takes to reach search (`query:` arguments); 0 is instantly current. */
  searchLagMs?: number;
  /** Shopify: the shop's plan; `development` (and trial) shops create at most 5 orders a minute. */
  storePlan?: 'standard' | 'development';
  /**
   * Shopify: the shop's oldest supported API version (default 2025-01, the schema's): a request for an older
   * one falls forward and is answered as this version, as a real shop answers once a version is retired.
   */
  oldestVersion?: string;
}

export interface RunningSandbox {
  url: string;
  port: number;
  /** Write calls served (creates, updates, deletes) and rate-limit refusals: what tests and dry runs check. */
  counters(): {
    writes: number;
    throttled: number;
    requests: number;
    routes?: Record<string, number>;
    writeWindow?: WriteWindow;
  };
  close(): Promise<void>;
}

export interface ConnectorOptions {
  /** Concurrent write calls the connector may make. */
  concurrency: number;
  /** Shared pacing (service mode: a Redis bucket for all workers); the connector's own throttling still applies. */
  limiter?: CallLimiter;
  /** Where rotating secrets are kept (the ledger, locked through Redis in service mode); a default opens the ledger. */
  vault?: TokenVault;
  /**
   * Per entity, the native field paths the mappings in use read from this platform (`properties.industry`,
   * `Loyalty_Tier__c`): a connector asks for these beyond what it needs itself, so a plan's own mapping
   * reaches a custom field with no connector code.
   */
  reads?: Record<string, string[]>;
  /** The plan's book-keeping options (ERPs): the cut-off date and the account opening entries are booked against. */
  books?: { cutoffDate?: string; openingAccount?: string };
  /** From how many records an entity is read through the platform's bulk export, where it has one. */
  bulkReadFrom?: number;
  /** A product image the destination cannot fetch: load without it (a warning), or quarantine the record. */
  unreachableImages?: 'warn' | 'quarantine';
}

/** What a platform folder under connectors/ registers: its connector, its sandbox and its budget. */
export interface PlatformModule {
  platform: string;
  defaultCredentials: Record<string, string>;
  /** The platform's documented rate budget, if it has one; workers share it through Redis. */
  rateBudget?: RateBudget;
  createConnector(config: ConnectionConfig, options: ConnectorOptions): Connector;
  /** An emulator of the platform's API, where the platform has one (a file or database connector may not). */
  startSandbox?(options: SandboxOptions): Promise<RunningSandbox>;
}

const PLATFORMS = new Map<string, PlatformModule>();
let discovered = false;

/** Called by each platform's index.ts; a platform registered twice is a programming error. */
export function registerPlatform(module: PlatformModule): void {
  const known = PLATFORMS.get(module.platform);
  if (known && known !== module) throw new Error(`platform ${module.platform} is registered twice`);
  PLATFORMS.set(module.platform, module);
}

/**
 * Loads every platform folder beside src/ (connectors/<platform>/index), once. The core never imports a
 * connector by name: a new platform is a new folder.
 */
function discoverPlatforms(): void {
  if (discovered) return;
  discovered = true;
  // src/connectors (tests) or dist/src/connectors (the CLI and service): connectors/ is two levels up.
  const root = resolve(__dirname, '../../connectors');
  if (!existsSync(root)) return;
  for (const folder of readdirSync(root, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const entry = ['index.js', 'index.ts'].map((file) => join(root, folder.name, file)).find(existsSync);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (entry) require(entry);
  }
}

export function platformNames(): string[] {
  discoverPlatforms();
  return [...PLATFORMS.keys()];
}

export function platformModule(platform: string): PlatformModule {
  discoverPlatforms();
  const found = PLATFORMS.get(platform);
  if (!found) {
    throw new SwitchyardError(
      'PLAN_INVALID',
      `unknown platform "${platform}"; available: ${platformNames().join(', ')}`,
    );
  }
  return found;
}

/** Starts a platform's sandbox; a platform without one says so. */
export function startSandbox(platform: string, options: SandboxOptions): Promise<RunningSandbox> {
  const module = platformModule(platform);
  if (!module.startSandbox)
    throw new SwitchyardError('PLAN_INVALID', `${platform} has no sandbox; point the plan at a real account`);
  return module.startSandbox(options);
}
