import { startShopifySandbox } from '../../connectors/shopify/sandbox/shopify.sandbox';
import { startWooSandbox } from '../../connectors/woocommerce/sandbox/woocommerce.sandbox';
import { platformModule } from '../../src/connectors/connector.registry';
import { prepareMigration, runMigration, type RunResult } from '../../src/engine/migration.runner';
import type { LedgerRepository } from '../../src/ledger/ledger.repository';
import { parsePlan } from '../../src/plan/migration-plan';
import { sqliteLedger } from './ledger';

export type ShopifySandbox = Awaited<ReturnType<typeof startShopifySandbox>>;
export type WooSandbox = Awaited<ReturnType<typeof startWooSandbox>>;

export const shopifySandbox = (
  seed?: Record<string, unknown>,
  extra: {
    rateLimit?: boolean;
    latencyMs?: number;
    searchLagMs?: number;
    storePlan?: 'development';
    oldestVersion?: string;
  } = {},
) => startShopifySandbox({ port: 0, seed, ...extra });
export const wooSandbox = (
  seed?: Record<string, unknown>,
  extra: { rateLimit?: boolean; latencyMs?: number; credentials?: Record<string, string> } = {},
) => startWooSandbox({ port: 0, seed: { currency: 'EUR', ...seed }, ...extra });

/** A connection to a sandbox with its default credentials; `url` overrides where it goes (a fault proxy). */
export function connection(
  sandbox: { url: string },
  platform: 'shopify' | 'woocommerce' | 'hubspot' | 'salesforce',
  url = sandbox.url,
) {
  return { platform, url, credentials: platformModule(platform).defaultCredentials };
}

export const CRM_ENTITIES = ['users', 'organizations', 'contacts', 'products', 'deals'];

/** A CRM plan moving every CRM entity. */
export function crmPlan(
  name: string,
  source: ReturnType<typeof connection>,
  destination: ReturnType<typeof connection>,
) {
  return parsePlan({ name, source, destination, entities: CRM_ENTITIES }, process.cwd());
}

export function plan(
  name: string,
  source: ReturnType<typeof connection>,
  destination: ReturnType<typeof connection>,
  entities = ['customers', 'products', 'orders'],
) {
  return parsePlan({ name, source, destination, entities }, process.cwd());
}

export async function migrate(
  ledger: LedgerRepository,
  migrationPlan: ReturnType<typeof plan>,
): Promise<RunResult> {
  return runMigration(await prepareMigration(migrationPlan), ledger);
}

/**
 * A WooCommerce sandbox holding a real-looking store: a Shopify store built from `seed` migrated into it
 * (on a throwaway ledger). For tests that move data from WooCommerce.
 */
export async function wooStoreFrom(
  seed: Record<string, unknown>,
  extra: { rateLimit?: boolean; latencyMs?: number } = {},
): Promise<WooSandbox> {
  const origin = await shopifySandbox(seed);
  const woo = await wooSandbox(undefined, extra);
  const t = await sqliteLedger();
  try {
    await migrate(t.ledger, plan('fill', connection(origin, 'shopify'), connection(woo, 'woocommerce')));
  } finally {
    await Promise.all([origin.close(), t.close()]);
  }
  return woo;
}
