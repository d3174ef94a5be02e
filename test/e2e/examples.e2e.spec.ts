import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { missingAsText } from '../../src/canonical/text-guard';
import { type RunningSandbox, startSandbox } from '../../src/connectors/connector.registry';
import { prepareMigration, runMigration } from '../../src/engine/migration.runner';
import { loadPlanFile } from '../../src/plan/migration-plan';
import { reconcile } from '../../src/reconcile/reconcile';
import { sqliteLedger } from '../helpers/ledger';

/**
 * Every example plan as its header tells a user to run it: the sandboxes it names, with their seeds and
 * rate limits, then migrate, then reconcile. Each must pass, with every source record accounted for, and
 * write no missing value as text.
 */
const EXAMPLES = resolve(__dirname, '../../examples');
const SANDBOX_LINE = /^#\s+npx switchyard sandbox (\S+) --port (\d+)((?: --\S+ \S+)*)\s*$/;
const ENV = {
  SHOPIFY_TOKEN: 'shpat_sandbox',
  WC_KEY: 'ck_sandbox',
  WC_SECRET: 'cs_sandbox',
  HUBSPOT_TOKEN: 'hs_sandbox',
  SALESFORCE_TOKEN: 'sf_sandbox',
  EXACT_CLIENT_ID: 'exact-sandbox-client',
  EXACT_CLIENT_SECRET: 'exact-sandbox-secret',
  EXACT_REFRESH_TOKEN: 'exact-sandbox-refresh-1',
  AFAS_TOKEN:
    'PHRva2VuPjx2ZXJzaW9uPjE8L3ZlcnNpb24+PGRhdGE+NUEzRjBDNkQxRTJCNEE3OTgwQzFEMkUzRjRBNUI2QzdEOEU5RjBBMUIyQzNENEU1RjZBN0I4QzlEMEUxRjJBMzwvZGF0YT48L3Rva2VuPg==',
};

async function startSandboxes(planFile: string): Promise<Map<string, RunningSandbox>> {
  const byPort = new Map<string, RunningSandbox>();
  for (const line of readFileSync(planFile, 'utf8').split('\n')) {
    const match = SANDBOX_LINE.exec(line);
    if (!match) continue;
    const [, platform, port, flags] = match;
    const seedFile = /--seed (\S+)/.exec(flags)?.[1];
    byPort.set(
      port,
      await startSandbox(platform, {
        port: 0,
        seed: seedFile ? JSON.parse(readFileSync(resolve(EXAMPLES, '..', seedFile), 'utf8')) : undefined,
        rateLimit: /--rate-limit on/.test(flags),
      }),
    );
  }
  return byPort;
}

describe('the example plans', () => {
  const plans = readdirSync(EXAMPLES).filter((file) => file.endsWith('.yaml'));

  it('are all here', () => {
    expect(plans.length).toBeGreaterThanOrEqual(6);
  });

  it.each(plans)('%s migrates and then reconciles pass', async (file) => {
    const planFile = resolve(EXAMPLES, file);
    const sandboxes = await startSandboxes(planFile);
    const t = await sqliteLedger();
    try {
      const plan = loadPlanFile(planFile, ENV);
      for (const side of [plan.source, plan.destination]) {
        const sandbox = sandboxes.get(new URL(side.url).port);
        if (!sandbox) throw new Error(`${file}: its header starts no sandbox for ${side.url}`);
        side.url = sandbox.url;
      }
      const prepared = await prepareMigration(plan, { vault: t.vault });
      const result = await runMigration(prepared, t.ledger);
      for (const [entity, counters] of Object.entries(result.entities)) {
        expect([entity, counters.extracted]).not.toEqual([entity, 0]);
        const accounted =
          counters.created +
          counters.updated +
          counters.unchanged +
          counters.quarantined +
          counters.failed +
          counters.skipped +
          counters.merged;
        expect([entity, accounted]).toEqual([entity, counters.extracted]);
      }
      // No field any of them writes holds a missing value as text ("null", "undefined"): not one record refused
      // for it, and not one such word in what the journal says each write sent.
      expect(result.problems.filter((problem) => /missing value as text/.test(problem.reason))).toEqual([]);
      const migration = (await t.ledger.migrationNamed(plan.name))!;
      const written = await t.ledger.journal(migration.id);
      expect(written.length).toBeGreaterThan(0);
      // Checked against no source at all: any such word in what was sent is one too many.
      const madeUp = written.flatMap((entry) =>
        missingAsText([entry.after, entry.related], {}).map(
          (issue) => `${entry.object} ${entry.destinationId}: ${issue}`,
        ),
      );
      expect(madeUp).toEqual([]);
      const report = await reconcile(prepared, t.ledger);
      expect(report.differences).toEqual([]);
      expect(report.verdict).toBe('pass');
      for (const difference of report.differences) expect(difference).toHaveProperty('field');
    } finally {
      await Promise.all([...[...sandboxes.values()].map((s) => s.close()), t.close()]);
    }
  });
});
