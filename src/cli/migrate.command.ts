import { prepareMigration } from '../engine/migration.runner';
import { loadPlanFile } from '../plan/migration-plan';
import { executePrepared, reportSetupError } from './run-plan';

/** `switchyard migrate PLAN.yaml [--dry-run] [--json]`: exit 0 all loaded, 3 some quarantined/failed, 2 bad plan. */
export async function runMigrate(
  planPath: string,
  options: { json?: boolean; dryRun?: boolean },
): Promise<number> {
  let prepared;
  try {
    prepared = await prepareMigration(loadPlanFile(planPath));
  } catch (error) {
    return reportSetupError(error);
  }
  return (await executePrepared(prepared, options.json === true, options.dryRun === true)).code;
}
