import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoShopifySeed } from '../../src/demo/demo-store';
import { runCli } from '../helpers/cli';
import { connection, shopifySandbox, wooSandbox } from '../helpers/sandboxes';
import { wooList } from '../helpers/woo-api';

type Step = {
  name: string;
  status: string;
  durationMs: number | null;
  expectedMs: number | null;
  criterion: string;
  outcome: string | null;
  rollback: string;
  runId: string | null;
};
type Report = { status: string; at: string | null; steps: Step[] };

/** A CLI cutover on the demo store: the plan written as a user would, a ledger of its own. */
async function demoCutover(name: string) {
  const shopify = await shopifySandbox(demoShopifySeed());
  const woo = await wooSandbox();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cutover-'));
  const planFile = join(dir, 'plan.yaml');
  writeFileSync(
    planFile,
    JSON.stringify({
      name,
      source: connection(shopify, 'shopify'),
      destination: connection(woo, 'woocommerce'),
      entities: ['customers', 'products', 'orders'],
    }),
  );
  const env = { DATABASE_URL: `sqlite:${join(dir, 'ledger.db')}` };
  const cutover = async (...args: string[]) => {
    const run = await runCli(['cutover', planFile, '--json', ...args], env);
    return {
      code: run.code,
      stderr: run.stderr,
      report: run.stdout ? (JSON.parse(run.stdout) as Report) : null,
    };
  };
  return {
    shopify,
    woo,
    dir,
    planFile,
    env,
    cutover,
    close: () => Promise.all([shopify.close(), woo.close()]),
  };
}

const statuses = (report: Report | null) =>
  Object.fromEntries(report!.steps.map((step) => [step.name, step.status]));

describe('a cutover by the runbook', () => {
  it('is rehearsed and executed on the demo store: each step recorded with its timing, criterion and outcome', async () => {
    const t = await demoCutover('cutover');
    try {
      // Before the day: the runbook to review and sign, with nothing run.
      const document = await runCli(
        ['cutover', t.planFile, '--plan-only', '--html', join(t.dir, 'runbook.html')],
        t.env,
      );
      expect(document.code).toBe(0);
      for (const title of [
        'Rehearse',
        'Bulk load',
        'Catch-up delta',
        'Freeze the source',
        'Final delta',
        'Validate',
        'Switch',
        'Watch the old system',
      ])
        expect(document.stdout).toContain(`| ${title} |`);
      expect(document.stdout).toContain('Sign-off');
      expect(readFileSync(join(t.dir, 'runbook.html'), 'utf8')).toContain('<td><b>Validate</b></td>');
      expect(await wooList(t.woo.url, 'customers')).toHaveLength(0);

      // Runs up to the freeze, which waits for the operator.
      const first = await t.cutover();
      expect(first.code).toBe(0);
      expect(first.report).toMatchObject({ status: 'waiting', at: 'freeze' });
      expect(statuses(first.report)).toMatchObject({
        rehearse: 'passed',
        bulk_load: 'passed',
        catch_up: 'passed',
        freeze: 'waiting',
        final_delta: 'pending',
      });
      // The bulk load was expected to take what the rehearsal measured.
      const [rehearse, bulk] = first.report!.steps;
      expect(bulk.expectedMs).toBe(rehearse.durationMs);
      expect(bulk.outcome).toMatch(/completed: 620 created, 0 updated/);
      expect(await wooList(t.woo.url, 'orders')).toHaveLength(320);

      // A confirmation for a step that does not wait is refused.
      expect((await t.cutover('--confirm', 'switch')).code).toBe(2);

      const frozen = await t.cutover('--confirm', 'freeze');
      expect(frozen.report).toMatchObject({ status: 'waiting', at: 'switch' });
      expect(statuses(frozen.report)).toMatchObject({
        freeze: 'passed',
        final_delta: 'passed',
        validate: 'passed',
      });
      const switched = await t.cutover('--confirm', 'switch');
      expect(switched.report!.status).toBe('completed');
      for (const step of switched.report!.steps) {
        expect([step.name, step.status]).toEqual([step.name, 'passed']);
        expect(step.durationMs).toEqual(expect.any(Number));
        expect(step.criterion.length).toBeGreaterThan(10);
        expect(step.outcome).toEqual(expect.any(String));
      }
      expect(switched.report!.steps.find((step) => step.name === 'validate')!.outcome).toBe(
        'reconcile passed: no difference',
      );
      expect(switched.report!.steps.find((step) => step.name === 'watch')!.outcome).toMatch(
        /no change made there after the switch/,
      );

      // Asked again, it shows the completed cutover and runs nothing.
      const shown = await t.cutover();
      expect(shown.report).toEqual(switched.report);
      // The next cutover's runbook expects each step to take what this one took.
      const next = await runCli(['cutover', t.planFile, '--plan-only', '--json'], t.env);
      const planned = JSON.parse(next.stdout) as Report & {
        steps: (Step & { expectedFrom: string | null })[];
      };
      expect(planned.steps.find((step) => step.name === 'final_delta')).toMatchObject({
        expectedFrom: 'the last cutover',
      });
    } finally {
      await t.close();
    }
  });

  it('stops at a failed validation before the switch, offers its rollback, and goes on once repaired', async () => {
    const t = await demoCutover('cutover-fails');
    try {
      const first = await t.cutover();
      expect(first.report!.at).toBe('freeze');
      // Behind Switchyard's back, a migrated customer is deleted in WooCommerce.
      const [customer] = await wooList(t.woo.url, 'customers');
      await fetch(
        `${t.woo.url}/wp-json/wc/v3/customers/${customer.id}?force=true&consumer_key=ck_sandbox&consumer_secret=cs_sandbox`,
        { method: 'DELETE' },
      );

      const frozen = await t.cutover('--confirm', 'freeze');
      expect(frozen.code).toBe(3);
      expect(frozen.report).toMatchObject({ status: 'stopped', at: 'validate' });
      const validate = frozen.report!.steps.find((step) => step.name === 'validate')!;
      expect(validate.outcome).toMatch(/reconcile failed with \d+ difference/);
      expect(validate.rollback).toMatch(/--repair/);
      expect(statuses(frozen.report)).toMatchObject({ switch: 'pending', watch: 'pending' });

      expect((await runCli(['migrate', t.planFile, '--repair', '--json'], t.env)).code).toBe(0);
      const again = await t.cutover();
      expect(again.report!.steps.find((step) => step.name === 'validate')!.outcome).toBe(
        'reconcile passed: no difference',
      );
      expect(again.report).toMatchObject({ status: 'waiting', at: 'switch' });
      expect(statuses(again.report)).toMatchObject({ validate: 'passed' });
    } finally {
      await t.close();
    }
  });
});
