import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

describe('npm run demo', () => {
  it('migrates the demo store and finds every count equal through both platforms’ APIs', () => {
    const cli = resolve(__dirname, '../../bin/switchyard.js');
    if (!existsSync(resolve(__dirname, '../../dist/src/cli/main.js')))
      throw new Error('dist/ is missing: run npm run build (npm ci does)');
    const run = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/customers\s+Shopify\s+240\s+WooCommerce\s+240\s+equal/);
    expect(run.stdout).toMatch(/orders\s+Shopify\s+320\s+WooCommerce\s+320\s+equal/);
    expect(run.stdout).not.toMatch(/DIFFERENT/);
  });
});
