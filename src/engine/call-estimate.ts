import type { PreparedMigration } from './migration.runner';

/** What a run will cost a platform that allows so many calls a day. */
export interface CallEstimate {
  platform: string;
  role: 'source' | 'destination';
  calls: number;
  perDay: number;
  days: number;
}

/**
 * Before a run: the calls it needs on each side whose platform counts calls by the day, from the number of
 * records the source holds. Nothing is asked of a platform without a daily allowance.
 */
export async function estimateCalls(prepared: PreparedMigration): Promise<CallEstimate[]> {
  const sides = (['source', 'destination'] as const).filter((role) => prepared[role].callBudget);
  if (sides.length === 0) return [];
  const counts = new Map<string, number>();
  for (const entity of prepared.entities)
    counts.set(entity, (await prepared.source.count(entity).catch(() => null)) ?? 0);
  return sides.map((role) => {
    const connector = prepared[role];
    const budget = connector.callBudget!;
    const calls = prepared.entities.reduce(
      (sum, entity) =>
        sum + budget.callsFor(entity, counts.get(entity) ?? 0, role === 'source' ? 'read' : 'write'),
      0,
    );
    return {
      platform: connector.platform,
      role,
      calls,
      perDay: budget.perDay,
      days: Math.max(1, Math.ceil(calls / budget.perDay)),
    };
  });
}

export function estimateText(estimate: CallEstimate): string {
  const days =
    estimate.days === 1
      ? 'fits in one day'
      : `takes ${estimate.days} days: it stops when a day's quota is used up and resumes when run again after the reset`;
  return `${estimate.platform} (${estimate.role}): this run needs about ${estimate.calls.toLocaleString('en')} calls; at ${estimate.perDay.toLocaleString('en')} a day it ${days}`;
}
