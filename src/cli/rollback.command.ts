import { errorMessage, SwitchyardError } from '../common/errors';
import { rollbackRun, type RollbackResult } from '../engine/rollback';
import { LedgerRepository } from '../ledger/ledger.repository';
import { EXIT, reportSetupError, withCliContext, withPreparedPlan } from './run-plan';

/**
 * `switchyard rollback PLAN.yaml --run RUN_ID [--dry-run] [--force] [--json]`: exit 0 all reversed (or, in a
 * dry run, nothing in the way), 3 some kept or failed, 2 bad plan or run, 130 stopped (run it again to resume).
 */
export function runRollbackCommand(
  planPath: string,
  options: { run: string; json?: boolean; dryRun?: boolean; force?: boolean },
): Promise<number> {
  return withPreparedPlan(planPath, (prepared) =>
    withCliContext(async (app, signal) => {
      try {
        const result = await rollbackRun(prepared, app.get(LedgerRepository), options.run, {
          dryRun: options.dryRun,
          force: options.force,
          signal,
          onChunk: (entity, done, total) => {
            if (!options.json && process.stderr.isTTY)
              process.stderr.write(`\r${entity}: ${done}/${total}   `);
          },
        });
        process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : rollbackText(result));
        if (result.status === 'interrupted') return EXIT.interrupted;
        return result.kept.length + result.failed.length > 0 ? EXIT.withErrors : EXIT.ok;
      } catch (error) {
        // Refused before anything was undone: a run that is not this migration's, a dry run, one still running.
        if (error instanceof SwitchyardError && ['PLAN_INVALID', 'LEDGER_STATE'].includes(error.code))
          return reportSetupError(error);
        process.stderr.write(
          `switchyard: the rollback stopped: ${errorMessage(error)}\nWhat it undid is recorded; run the same command again to go on.\n`,
        );
        return EXIT.failed;
      }
    }),
  );
}

const UNDO_WORDS = {
  delete: 'delete what it created',
  restore: 'restore what it updated',
  recreate: 'create again what it deleted',
};

function rollbackText(result: RollbackResult): string {
  const lines = [
    `${result.dryRun ? 'Dry run of the rollback of' : result.resumed ? 'Resumed the rollback of' : 'Rolled back'} run ${result.undoes} (migration ${result.migration})${result.runId ? `, as run ${result.runId}` : ''}: ${result.status}${result.dryRun ? ' — nothing was written; "reversed" is what it would undo' : ''}`,
    '',
    'entity      reversed  kept  failed',
    ...Object.entries(result.entities).map(
      ([entity, c]) =>
        `${entity.padEnd(10)} ${String(c.reversed).padStart(9)} ${String(c.kept).padStart(5)} ${String(c.failed).padStart(7)}`,
    ),
  ];
  for (const bucket of ['kept', 'failed'] as const) {
    if (result[bucket].length === 0) continue;
    lines.push(
      '',
      bucket === 'kept'
        ? `${result.kept.length} record(s) kept as they are, not overwritten (--force undoes them anyway):`
        : `${result.failed.length} record(s) could not be undone (run the same command again to retry):`,
      ...result[bucket].map(
        (e) => `  ${e.entity} ${e.sourceId} → ${e.destinationId} (${UNDO_WORDS[e.undo]}): ${e.reason ?? ''}`,
      ),
    );
  }
  if (result.status === 'interrupted')
    lines.push('', 'Stopped between chunks; run the same command again to go on.');
  return `${lines.join('\n')}\n`;
}
