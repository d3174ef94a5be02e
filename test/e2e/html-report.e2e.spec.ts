import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { reconcile } from '../../src/reconcile/reconcile';
import { reconciliationHtml } from '../../src/report/html-report';
import { sqliteLedger } from '../helpers/ledger';
import { connection, plan, shopifySandbox, wooSandbox } from '../helpers/sandboxes';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the HTML reconciliation report', () => {
  it('renders in headless Chromium with the run’s key figures', async () => {
    // First, so a machine without Chromium fails here rather than leaving sandboxes open.
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const seed = demoShopifySeed({ customers: 15, products: 6, orders: 20 });
    seed.customers[0].email = 'broken';
    const shopify = await shopifySandbox(seed);
    const woo = await wooSandbox();
    const t = await sqliteLedger();
    try {
      const prepared = await prepareMigration(
        plan('html', connection(shopify, 'shopify'), connection(woo, 'woocommerce')),
      );
      await runMigration(prepared, t.ledger);
      const report = await reconcile(prepared, t.ledger);
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-html-'));
      const file = join(dir, 'reconciliation.html');
      writeFileSync(file, reconciliationHtml(report));

      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(`file://${file}`);
      expect(await page.textContent('#verdict')).toBe('PASS');
      expect(await page.textContent('[data-figure="orders-destination"]')).toBe(
        String(report.entities.orders.destination),
      );
      const total = report.entities.orders.aggregates['total EUR'];
      const aggregates = await page.textContent('#aggregates');
      expect(aggregates).toContain(total.source);
      expect(
        await page.locator('svg[aria-label="order totals by currency"] rect').count(),
      ).toBeGreaterThanOrEqual(2);
      expect(await page.textContent('body')).toContain('broken');
      const shot = join(dir, 'reconciliation.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
      await Promise.all([shopify.close(), woo.close(), t.close()]);
    }
  });
});
