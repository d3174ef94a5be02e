import { executePrepared, withPreparedPlan } from './run-plan';

/**
 * `switchyard migrate PLAN.yaml [--delta | --repair] [--dry-run] [--json]`: exit 0 all loaded, 3 some
 * quarantined or failed, 2 bad plan (or both --delta and --repair).
 */
export function runMigrate(
  planPath: string,
  options: { json?: boolean; dryRun?: boolean; delta?: boolean; repair?: boolean },
): Promise<number> {
  if (options.delta && options.repair) {
    process.stderr.write('switchyard: --delta and --repair are two kinds of run; choose one\n');
    return Promise.resolve(2);
  }
  const kind = options.repair ? 'repair' : options.delta ? 'delta' : 'full';
  return withPreparedPlan(
    planPath,
    async (prepared) =>
      (await executePrepared(prepared, options.json === true, options.dryRun === true, kind)).code,
  );
}
