import 'reflect-metadata';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runAuditCommand } from './audit.command';
import { type CutoverCommandOptions, runCutoverCommand } from './cutover.command';
import { runDemo } from './demo.command';
import { runMigrate } from './migrate.command';
import { runReconcileCommand } from './reconcile.command';
import { runRollbackCommand } from './rollback.command';
import { redactProcessOutput } from './redacted-output';
import { runSandbox } from './sandbox.command';
import { boundHeapGrowth } from '../common/heap-growth';

redactProcessOutput();
boundHeapGrowth();

const integer = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`${name} must be a whole number`);
  return parsed;
};

const program = new Command()
  .name('switchyard')
  .description(
    'Move a business between platforms over their APIs, with a per-record ledger that proves what moved.',
  )
  .showHelpAfterError();

program
  .command('migrate')
  .description('run (or resume) the migration a plan describes')
  .argument('<plan>', 'migration plan, YAML; ${VAR} reads the environment')
  .option('--json', 'print one JSON summary instead of progress bars and tables')
  .option('--dry-run', 'look up the destination and predict each record’s outcome; write nothing there')
  .option('--delta', 'read only what the source changed since the last completed run (less an overlap)')
  .option('--repair', 'rewrite what reconcile finds missing or different in the destination')
  .action(
    async (
      plan: string,
      options: { json?: boolean; dryRun?: boolean; delta?: boolean; repair?: boolean },
    ) => {
      process.exitCode = await runMigrate(plan, options);
    },
  );

program
  .command('audit')
  .description(
    'read the source and report counts by category, duplicates, orphans and invalid values; writes nothing',
  )
  .argument('<plan>', 'migration plan, YAML')
  .option(
    '--json',
    'print one JSON report: {migration, source, entities, findings: [{entity, sourceId, kind, field?, message}]}',
  )
  .option('--html <file>', 'also write a self-contained HTML report')
  .action(async (plan: string, options: { json?: boolean; html?: string }) => {
    process.exitCode = await runAuditCommand(plan, options);
  });

program
  .command('reconcile')
  .description(
    'compare source, ledger and destination: counts, totals, references and every field; exit 4 on differences',
  )
  .argument('<plan>', 'migration plan, YAML')
  .option(
    '--json',
    'print {verdict, entities, differences: [{entity, sourceId, destinationId, field, source, destination}], …}',
  )
  .option('--html <file>', 'also write a self-contained HTML report')
  .action(async (plan: string, options: { json?: boolean; html?: string }) => {
    process.exitCode = await runReconcileCommand(plan, options);
  });

program
  .command('rollback')
  .description(
    'undo one run: delete what it created, restore what it updated, create again what it deleted; exit 3 if any is kept or failed',
  )
  .argument('<plan>', 'migration plan, YAML')
  .requiredOption('--run <id>', 'the run to undo (`migrate --json` prints each run’s runId)')
  .option('--dry-run', 'read the destination and list what would be reversed, kept or fail; write nothing')
  .option('--force', 'undo records changed in the destination since the run too, instead of keeping them')
  .option(
    '--json',
    'print {runId, undoes, status, entities, reversed, kept, failed: [{entity, sourceId, destinationId, undo, reason}]}',
  )
  .action(
    async (plan: string, options: { run: string; json?: boolean; dryRun?: boolean; force?: boolean }) => {
      process.exitCode = await runRollbackCommand(plan, options);
    },
  );

program
  .command('cutover')
  .description(
    'switch a live business by the runbook: rehearse, bulk load, catch up, freeze, final delta, validate, switch, watch',
  )
  .argument('<plan>', 'migration plan, YAML')
  .option(
    '--plan-only',
    'print the runbook (Markdown) with each step’s expected duration, criterion and rollback; run nothing',
  )
  .option('--html <file>', 'also write the runbook as a self-contained HTML page')
  .addOption(
    new Option('--confirm <step>', 'the operator’s confirmation of the step waiting for it').choices([
      'freeze',
      'switch',
    ]),
  )
  .option(
    '--watch-minutes <n>',
    'how long the watch step runs deltas from the old system (0: one delta)',
    integer('--watch-minutes'),
    0,
  )
  .option(
    '--json',
    'print {cutoverId, status, at, steps: [{name, action, criterion, rollback, expectedMs, status, durationMs, outcome, runId}]}',
  )
  .action(async (plan: string, options: CutoverCommandOptions) => {
    process.exitCode = await runCutoverCommand(plan, options);
  });

program
  .command('sandbox')
  .description("serve a platform's API on 127.0.0.1 for tests, demos and benchmarks")
  .argument('<platform>', 'shopify, woocommerce, hubspot, salesforce, exact-online or afas')
  .requiredOption('--port <port>', 'port to listen on (0 picks a free one)', integer('--port'))
  .option('--seed <file>', 'JSON {"<entity>": [records as the platform returns them]}')
  .option('--latency-ms <ms>', 'delay every response', integer('--latency-ms'), 0)
  .addOption(
    new Option('--rate-limit <state>', "enforce the platform's rate limit")
      .choices(['on', 'off'])
      .default('off'),
  )
  .option(
    '--access-token <token>',
    'Shopify, HubSpot and Salesforce: the access token to accept (default shpat_sandbox, hs_sandbox, sf_sandbox)',
  )
  .option('--consumer-key <key>', 'WooCommerce: consumer key (default ck_sandbox)')
  .option('--consumer-secret <secret>', 'WooCommerce: consumer secret (default cs_sandbox)')
  .option(
    '--daily-quota <calls>',
    'Exact Online and HubSpot: calls a day before 429 (default 5,000 and 250,000; enforced with --rate-limit on or when given)',
    integer('--daily-quota'),
  )
  .option(
    '--token-seconds <seconds>',
    'Exact Online: how long an access token lives (default 600)',
    integer('--token-seconds'),
  )
  .option(
    '--search-lag-ms <ms>',
    'Shopify: how long a write takes to reach search (query: arguments), as on a real shop (default 0)',
    integer('--search-lag-ms'),
  )
  .addOption(
    new Option('--store-plan <plan>', 'Shopify: development and trial shops create at most 5 orders a minute')
      .choices(['standard', 'development'])
      .default('standard'),
  )
  .option(
    '--oldest-version <version>',
    "Shopify: the shop's oldest supported API version (YYYY-MM); older requests fall forward to it (default 2025-01)",
  )
  .action(async (platform: string, options) => {
    process.exitCode = await runSandbox(platform, options);
  });

program
  .command('demo')
  .description('start seeded Shopify and empty WooCommerce sandboxes and migrate one into the other')
  .option('--json', 'print the run summary as JSON')
  .action(async (options: { json?: boolean }) => {
    process.exitCode = await runDemo(options);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`switchyard: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
