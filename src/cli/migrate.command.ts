import { executePrepared, withPreparedPlan } from './run-plan';

/**
 * `switchyard migrate PLAN.yaml [--delta] [--dry-run] [--json]`: exit 0 all loaded, 3 some quarantined or
 * failed, 2 bad plan.
 */
export function runMigrate(
  planPath: string,
  options: { json?: boolean; dryRun?: boolean; delta?: boolean },
): Promise<number> {
  return withPreparedPlan(
    planPath,
    async (prepared) =>
      (
        await executePrepared(
          prepared,
          options.json === true,
          options.dryRun === true,
          options.delta === true,
        )
      ).code,
  );
}
