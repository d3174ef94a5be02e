import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connection, wooSandbox } from '../helpers/sandboxes';
import { textProblems } from '../../src/audit/text-checks';

const CLI = resolve(__dirname, '../../bin/switchyard.js');

/** The CLI in a child process; asynchronous, because the sandbox it talks to lives in this process. */
function cli(args: string[], cwd: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (status) => done({ status, stdout }));
  });
}

/** A store with exactly the problems the issue plants, and otherwise clean records. */
const PLANTED = {
  customers: [
    {
      id: 1,
      email: 'anna@example.com',
      first_name: 'Anna',
      billing: { address_1: 'Damrak 1', city: 'Amsterdam', postcode: '1012 LG', country: 'NL' },
    },
    { id: 2, email: 'ANNA@example.com', first_name: 'Anna B.' },
    {
      id: 3,
      email: 'carl@example.com',
      first_name: 'Carl',
      billing: { address_1: 'Main St 2', city: 'Nowhere', country: 'XX' },
    },
    { id: 4, email: 'renee@example.com', first_name: 'RenÃ©e' },
    { id: 5, email: 'zoe@example.com', first_name: 'Zoë', last_name: 'Østergaard' },
  ],
  products: [
    {
      id: 10,
      name: 'Mug',
      slug: 'mug',
      sku: 'MUG-1',
      regular_price: '9.50',
      manage_stock: true,
      stock_quantity: 3,
    },
    {
      id: 11,
      name: 'Hoodie',
      slug: 'hoodie',
      type: 'variable',
      sku: 'HOOD',
      attributes: [{ name: 'Size', options: ['S', 'M'], variation: true }],
      variations: [
        { id: 12, sku: 'HOOD-S', regular_price: 'abc', attributes: [{ name: 'Size', option: 'S' }] },
        { id: 13, sku: 'HOOD-M', regular_price: '30.00', attributes: [{ name: 'Size', option: 'M' }] },
      ],
    },
  ],
  orders: [
    {
      id: 100,
      status: 'completed',
      currency: 'EUR',
      customer_id: 1,
      total: '9.50',
      line_items: [{ product_id: 10, quantity: 1, subtotal: '9.50', total: '9.50', name: 'Mug' }],
    },
    {
      id: 101,
      status: 'processing',
      currency: 'EUR',
      customer_id: 999,
      total: '9.50',
      line_items: [{ product_id: 10, quantity: 1, subtotal: '9.50', total: '9.50', name: 'Mug' }],
    },
    {
      id: 102,
      status: 'processing',
      currency: 'EUR',
      customer_id: 5,
      total: '5.00',
      line_items: [{ product_id: 888, quantity: 1, subtotal: '5.00', total: '5.00', name: 'Gone' }],
    },
    {
      id: 103,
      status: 'pending',
      currency: 'USD',
      customer_id: 0,
      total: '9.50',
      line_items: [{ product_id: 10, quantity: 1, subtotal: '9.50', total: '9.50', name: 'Mug' }],
    },
  ],
};

describe('switchyard audit', () => {
  it('finds every planted problem and nothing else, counts by category, and writes nothing', async () => {
    if (!existsSync(resolve(__dirname, '../../dist/src/cli/main.js')))
      throw new Error('dist/ is missing: run npm run build (npm ci does)');
    const woo = await wooSandbox(PLANTED);
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-audit-'));
    const planFile = join(dir, 'plan.yaml');
    writeFileSync(
      planFile,
      JSON.stringify({
        name: 'audit',
        source: connection(woo, 'woocommerce'),
        destination: {
          platform: 'shopify',
          url: 'http://127.0.0.1:9',
          credentials: { accessToken: 'unused' },
        },
        entities: ['customers', 'products', 'orders'],
      }),
    );
    try {
      const run = await cli(['audit', planFile, '--json'], dir);
      expect(run.status).toBe(3);
      const report = JSON.parse(run.stdout) as {
        entities: Record<string, any>;
        findings: Record<string, string>[];
      };
      const found = report.findings.map((f) => `${f.entity} ${f.sourceId} ${f.kind} ${f.field ?? ''}`).sort();
      expect(found).toEqual(
        [
          'customers 1 duplicate email',
          'customers 2 duplicate email',
          'customers 3 invalid addresses.0.country',
          'customers 4 encoding firstName',
          'orders 101 orphan customer',
          'orders 102 orphan product',
          'products 11 invalid variants.0.price.amount',
        ].sort(),
      );
      expect(report.findings.find((f) => f.sourceId === '11')?.message).toMatch(
        /"abc"\) is not a decimal amount/,
      );
      expect(report.findings.find((f) => f.sourceId === '1')?.message).toMatch(/shared with 2/);
      expect(report.entities.customers).toEqual({
        count: 5,
        categories: { country: { NL: 1, XX: 1, '(none)': 3 } },
        // What a WooCommerce customer holds that the shipped mapping leaves behind.
        unmapped: ['is_paying_customer', 'meta_data', 'role', 'username'],
      });
      expect(report.entities.orders.categories).toEqual({
        status: { paid: 3, pending: 1 },
        cancelled: { open: 4 },
        currency: { EUR: 3, USD: 1 },
      });
      expect(woo.counters().writes).toBe(0);
      expect(existsSync(join(dir, '.switchyard'))).toBe(false);
      const text = await cli(['audit', planFile], dir);
      expect(text.stdout).toMatch(/7 problem\(s\):/);

      // The plan's cleaning rules deal with three of them; the audit says which, and how.
      const cleaningPlan = join(dir, 'cleaning.yaml');
      writeFileSync(
        cleaningPlan,
        JSON.stringify({
          ...JSON.parse(readFileSync(planFile, 'utf8')),
          cleaning: {
            customers: { merge: { on: 'email' }, skip: [{ field: 'addresses[].country', equals: 'XX' }] },
          },
        }),
      );
      const cleaned = await cli(['audit', cleaningPlan, '--json'], dir);
      expect(cleaned.status).toBe(3);
      const handled = (JSON.parse(cleaned.stdout) as { findings: Record<string, string>[] }).findings
        .filter((f) => f.cleaning)
        .map((f) => `${f.sourceId} ${f.cleaning}`);
      expect(handled).toEqual([
        `3 skipped by the plan's cleaning rule addresses[].country = XX (it is "XX")`,
        '1 kept: 2 merge into it (merge on email)',
        '2 merged into 1 (merge on email)',
      ]);
      const cleanedText = (await cli(['audit', cleaningPlan], dir)).stdout;
      expect(cleanedText).toMatch(
        /7 problem\(s\): 4 to fix at the source, 3 handled by the plan's cleaning rules/,
      );
      expect(cleanedText).toMatch(/customers: 5\n {2}cleaning: 1 skipped, 1 merged into a duplicate\n/);
    } finally {
      await woo.close();
    }
  });
});

describe('text checks', () => {
  it('flag control characters and mojibake, and leave real names in any script alone', () => {
    expect(
      textProblems({ name: 'Zoë Østergaard', city: 'SÃO PAULO', note: 'Nguyễn — “quoted”', jp: '東京' }),
    ).toEqual([]);
    expect(textProblems({ name: 'RenÃ©e' })).toEqual([
      expect.objectContaining({ kind: 'encoding', field: 'name' }),
    ]);
    expect(textProblems({ note: 'donâ€™t' })).toHaveLength(1);
    expect(textProblems({ lines: [{ title: 'Mug\u0007' }] })).toEqual([
      expect.objectContaining({ field: 'lines.0.title' }),
    ]);
  });
});
