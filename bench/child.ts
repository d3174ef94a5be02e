import { runMigrate } from '../src/cli/migrate.command';
import { boundHeapGrowth } from '../src/common/heap-growth';
import { acknowledgeWrites } from './acknowledge';
import { platformNames } from '../src/connectors/connector.registry';
import type { Baseline } from './baselines/baseline';
import { salesforceToHubspot } from './baselines/salesforce-to-hubspot';
import { shopifyToHubspot } from './baselines/shopify-to-hubspot';
import { shopifyToWoocommerce } from './baselines/shopify-to-woocommerce';

/**
 * The measured side of one benchmark run, in its own process: the hub (the CLI's own `migrate --json`) or a
 * baseline script. Code is loaded before the clock starts, so both are measured on their work alone.
 */
export const BASELINES: Record<string, Baseline> = {
  'shopify-to-woocommerce': shopifyToWoocommerce,
  'shopify-to-hubspot': shopifyToHubspot,
  'salesforce-to-hubspot': salesforceToHubspot,
};

export interface ChildUsage {
  cpuMs: number;
  wallMs: number;
  maxRssMb: number;
  exitCode: number;
  /** Records the baseline wrote; the hub's counts come from its JSON summary. */
  records?: number;
}

async function main(): Promise<ChildUsage> {
  const [mode, ...args] = process.argv.slice(2);
  // As the CLI and the worker run (the baselines are plain scripts: V8's defaults).
  if (mode !== 'baseline') boundHeapGrowth();
  platformNames();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let exitCode = 0;
  let records: number | undefined;
  if (mode === 'hub-acknowledged') acknowledgeWrites(args[1]);
  if (mode === 'hub' || mode === 'hub-acknowledged') exitCode = await runMigrate(args[0], { json: true });
  else records = await BASELINES[args[0]]({ source: args[1], destination: args[2] });
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: (used.user + used.system) / 1000,
    wallMs: performance.now() - started,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    exitCode,
    ...(records !== undefined ? { records } : {}),
  };
}

main().then(
  // Out only once stdout is written: the hub's JSON summary can be long.
  (usage) => process.send!({ usage }, () => process.stdout.write('', () => process.exit(0))),
  (error: Error) => process.send!({ error: error.stack ?? error.message }, () => process.exit(1)),
);
