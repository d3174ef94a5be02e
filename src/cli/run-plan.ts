import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CliModule } from '../app/cli.module';
import { MigrationService } from '../app/migration.service';
import { errorMessage, SwitchyardError } from '../common/errors';
import { estimateCalls, estimateText } from '../engine/call-estimate';
import { prepareMigration, type PreparedMigration, type RunResult } from '../engine/migration.runner';
import { loadPlanFile } from '../plan/migration-plan';
import { jsonSummary, problemList, summaryTable, warningList } from './report';
import { progressBars } from './progress-bars';

export const EXIT = { ok: 0, failed: 1, badPlan: 2, withErrors: 3, interrupted: 130 } as const;

/** Tells the user what to fix: the error's own message, never a stack. */
export function reportSetupError(error: unknown): number {
  if (error instanceof SwitchyardError) {
    process.stderr.write(`switchyard: ${error.message}\nNothing was written.\n`);
    return EXIT.badPlan;
  }
  throw error;
}

/**
 * Loads and prepares a plan file, then hands it to `command`; a bad plan or an unreachable platform
 * is reported (exit 2) before anything is written.
 */
export async function withPreparedPlan(
  planPath: string,
  command: (prepared: PreparedMigration) => Promise<number>,
): Promise<number> {
  let prepared: PreparedMigration;
  try {
    prepared = await prepareMigration(loadPlanFile(planPath));
  } catch (error) {
    return reportSetupError(error);
  }
  return command(prepared);
}

/**
 * Runs `work` with the CLI's application context and a signal that SIGINT and SIGTERM abort (work stops at its
 * next safe point); both are released afterwards, however it ends.
 */
export async function withCliContext<T>(
  work: (app: INestApplicationContext, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const app = await NestFactory.createApplicationContext(CliModule, { logger: false });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(app, controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await app.close();
  }
}

/**
 * Runs a prepared migration on the ledger in-process (the CLI's scheduling), with progress bars on a
 * terminal and SIGINT/SIGTERM stopping cleanly at the next page boundary.
 */
export async function executePrepared(
  prepared: PreparedMigration,
  json: boolean,
  dryRun = false,
  kind: 'full' | 'delta' | 'repair' = 'full',
): Promise<{ code: number; result?: RunResult }> {
  return withCliContext(async (app, signal) => {
    // A platform that counts calls by the day: what this run will take, said before it starts.
    const estimates = await estimateCalls(prepared).catch(() => []);
    if (!json) for (const estimate of estimates) process.stdout.write(`${estimateText(estimate)}\n`);
    // What the platforms said when checked (another API version answered, a shop that paces orders).
    const notices = [
      ...(prepared.sourceInfo.notices ?? []).map((notice) => `source ${prepared.source.platform}: ${notice}`),
      ...(prepared.destinationInfo.notices ?? []).map(
        (notice) => `destination ${prepared.destination.platform}: ${notice}`,
      ),
    ];
    if (!json) for (const notice of notices) process.stdout.write(`${notice}\n`);
    const bars = progressBars(!json && process.stdout.isTTY === true);
    try {
      const result = await app.get(MigrationService).run(prepared, {
        signal,
        progress: bars,
        dryRun,
        delta: kind === 'delta',
        repair: kind === 'repair',
      });
      bars.stop();
      if (json)
        process.stdout.write(
          `${JSON.stringify({ ...jsonSummary(result), ...(estimates.length > 0 ? { estimate: estimates } : {}), ...(notices.length > 0 ? { notices } : {}) })}\n`,
        );
      else {
        process.stdout.write(
          `\n${result.dryRun ? 'Dry run of' : result.resumed ? 'Resumed' : 'Ran'}${result.kind === 'full' ? '' : ` a ${result.kind} of`} migration ${result.migration} (run ${result.runId}): ${result.status}${result.dryRun ? ' — nothing was written to the destination; the counts are predictions' : ''}\n\n${summaryTable(result)}\n`,
        );
        const problems = problemList(result);
        if (problems) process.stdout.write(`\n${problems}\n`);
        const warnings = warningList(result);
        if (warnings) process.stdout.write(`\n${warnings}\n`);
      }
      const code =
        result.status === 'completed'
          ? EXIT.ok
          : result.status === 'interrupted'
            ? EXIT.interrupted
            : EXIT.withErrors;
      if (!json && result.status === 'interrupted')
        process.stdout.write('\nStopped at a page boundary; run the same command again to resume.\n');
      return { code, result };
    } catch (error) {
      bars.stop();
      process.stderr.write(
        `switchyard: the run stopped: ${errorMessage(error)}\nIts progress is saved; run the same command again to resume.\n`,
      );
      return { code: EXIT.failed };
    }
  });
}
