import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformModule, startSandbox } from '../connectors/connector.registry';
import { demoShopifySeed } from '../demo/demo-store';
import { prepareMigration } from '../engine/migration.runner';
import { parsePlan } from '../plan/migration-plan';
import { EXIT, executePrepared, reportSetupError } from './run-plan';

/**
 * `switchyard demo`: a seeded Shopify sandbox and an empty WooCommerce sandbox, a Shopify → WooCommerce
 * migration on a fresh ledger, and a count check through each platform's own API.
 */
export async function runDemo(options: { json?: boolean }): Promise<number> {
  const json = options.json === true;
  const say = (text: string) => {
    if (!json) process.stdout.write(`${text}\n`);
  };
  const shopify = await startSandbox('shopify', { port: 0, seed: demoShopifySeed() });
  const woo = await startSandbox('woocommerce', { port: 0, seed: { currency: 'EUR' } });
  const shopifyCredentials = platformModule('shopify').defaultCredentials;
  const wooCredentials = platformModule('woocommerce').defaultCredentials;
  // A fresh ledger each time: the sandboxes start fresh too.
  const ledgerFile = join(mkdtempSync(join(tmpdir(), 'switchyard-demo-')), 'ledger.db');
  process.env.DATABASE_URL = `sqlite:${ledgerFile}`;
  try {
    say(`Shopify sandbox     ${shopify.url} (accessToken=${shopifyCredentials.accessToken})`);
    say(
      `WooCommerce sandbox ${woo.url} (consumerKey=${wooCredentials.consumerKey} consumerSecret=${wooCredentials.consumerSecret})`,
    );
    say(`Ledger              ${ledgerFile}\n`);
    const plan = parsePlan(
      {
        name: 'demo-shopify-to-woocommerce',
        source: { platform: 'shopify', url: shopify.url, credentials: shopifyCredentials },
        destination: { platform: 'woocommerce', url: woo.url, credentials: wooCredentials },
        entities: ['customers', 'products', 'orders'],
      },
      process.cwd(),
    );
    let prepared;
    try {
      prepared = await prepareMigration(plan);
    } catch (error) {
      return reportSetupError(error);
    }
    const { code, result } = await executePrepared(prepared, json);
    if (!result) return code;
    say('\nChecked through each platform’s own API:');
    let equal = true;
    for (const entity of prepared.entities) {
      const [source, destination] = await Promise.all([
        prepared.source.count(entity),
        prepared.destination.count(entity),
      ]);
      equal &&= source === destination;
      say(
        `  ${entity.padEnd(10)} Shopify ${String(source).padStart(4)}   WooCommerce ${String(destination).padStart(4)}   ${source === destination ? 'equal' : 'DIFFERENT'}`,
      );
    }
    if (!equal) {
      process.stderr.write('switchyard: destination counts differ from the source\n');
      return code === EXIT.ok ? EXIT.failed : code;
    }
    return code;
  } finally {
    await Promise.all([shopify.close(), woo.close()]);
  }
}
