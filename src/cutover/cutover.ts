import { randomUUID } from 'node:crypto';
import { SwitchyardError } from '../common/errors';
import { runMigration, type PreparedMigration, type RunResult } from '../engine/migration.runner';
import type { CutoverRow, CutoverStepRecord } from '../ledger/ledger.entities';
import type { LedgerRepository } from '../ledger/ledger.repository';
import { reconcile } from '../reconcile/reconcile';
import { RUNBOOK, type StepDefinition, type StepName } from './runbook';

export interface CutoverStep extends StepDefinition, Omit<CutoverStepRecord, 'name'> {
  /** How long it should take, from the last cutover of this migration that ran it (or the rehearsal). */
  expectedMs: number | null;
  expectedFrom: string | null;
}

export interface CutoverReport {
  migration: string;
  cutoverId: string | null;
  status: CutoverRow['status'] | 'not started';
  /** The step that waits for the operator, or stopped; null when none does. */
  at: StepName | null;
  steps: CutoverStep[];
}

export interface CutoverOptions {
  /** The operator's confirmation of the step that waits for it (`freeze`, `switch`). */
  confirm?: 'freeze' | 'switch';
  /** Start a new cutover when the last one completed; without it, the completed one is only reported. */
  again?: boolean;
  /** How long the watch step keeps running deltas from the old system; 0: one delta. */
  watchMinutes?: number;
  /** Called as each step starts and ends: the CLI prints it, with its criterion and expected duration. */
  onStep?: (step: CutoverStep) => void;
  signal?: AbortSignal;
}

const WATCH_PAUSE_MS = 60_000;

/**
 * The latest cutover as it stands (each step's expected duration, and how it went), or with `next` after a
 * completed one, the runbook of the next: what is reviewed and signed before the day.
 */
export async function cutoverReport(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  options: { next?: boolean } = {},
): Promise<CutoverReport> {
  const migration = await ledger.migrationNamed(prepared.plan.name);
  const cutovers = migration ? await ledger.cutovers(migration.id) : [];
  const current = cutovers.at(-1);
  if (!current || (options.next && current.status === 'completed'))
    return report(prepared.plan.name, undefined, cutovers);
  return report(prepared.plan.name, current, cutovers.slice(0, -1));
}

/**
 * Runs the cutover from where it stands: the first step not yet passed, then on, until a step waits for the
 * operator's confirmation, a step's criterion fails (the cutover stops there; its rollback is offered, and
 * running the cutover again tries that step again), or the watch ends it. A completed cutover is only reported;
 * `again` starts a new one.
 */
export async function advanceCutover(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  options: CutoverOptions = {},
): Promise<CutoverReport> {
  const migration = await ledger.ensureMigration({
    name: prepared.plan.name,
    sourcePlatform: prepared.plan.source.platform,
    destinationPlatform: prepared.plan.destination.platform,
    sourceUrl: prepared.plan.source.url,
    destinationUrl: prepared.plan.destination.url,
  });
  const cutovers = await ledger.cutovers(migration.id);
  let cutover = cutovers.at(-1);
  if (cutover?.status === 'completed' && !options.again)
    return report(prepared.plan.name, cutover, cutovers.slice(0, -1));
  if (!cutover || cutover.status === 'completed') {
    cutover = {
      id: randomUUID(),
      migrationId: migration.id,
      status: 'running',
      steps: RUNBOOK.map((step) => blankStep(step.name)),
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    cutovers.push(cutover);
  }
  const earlier = cutovers.filter((other) => other.id !== cutover.id);
  const waiting = cutover.steps.find((step) => step.status === 'waiting');
  if (options.confirm && waiting?.name !== options.confirm)
    throw new SwitchyardError(
      'LEDGER_STATE',
      waiting
        ? `the cutover waits for "${waiting.name}", not "${options.confirm}": confirm that step first`
        : `the cutover is not waiting for "${options.confirm}": run it without --confirm to see where it stands`,
    );
  cutover.status = 'running';
  for (const record of cutover.steps) {
    if (record.status === 'passed') continue;
    const definition = RUNBOOK.find((step) => step.name === record.name)!;
    const shown = () => stepView(definition, record, cutover, earlier);
    if (definition.confirm) {
      if (options.confirm !== definition.name) {
        Object.assign(record, {
          status: 'waiting',
          outcome: `waiting for: switchyard cutover PLAN --confirm ${definition.name}`,
        });
        cutover.status = 'waiting';
        break;
      }
      const at = new Date().toISOString();
      Object.assign(record, {
        status: 'passed',
        startedAt: at,
        finishedAt: at,
        durationMs: 0,
        outcome: `confirmed by the operator at ${at}`,
      });
      options.onStep?.(shown());
      await ledger.saveCutover(cutover);
      continue;
    }
    if (options.signal?.aborted) break;
    Object.assign(record, {
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      outcome: null,
      runId: null,
    });
    options.onStep?.(shown());
    await ledger.saveCutover(cutover);
    const started = Date.now();
    const result = await execute(definition.name, prepared, ledger, options).catch((error: unknown) => ({
      passed: false,
      outcome: `stopped: ${error instanceof Error ? error.message : String(error)}`,
      runId: null,
    }));
    Object.assign(record, {
      status: result.passed ? 'passed' : 'failed',
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      outcome: result.outcome,
      runId: result.runId,
    });
    options.onStep?.(shown());
    if (!result.passed) {
      cutover.status = 'stopped';
      break;
    }
    await ledger.saveCutover(cutover);
  }
  if (cutover.steps.every((step) => step.status === 'passed')) cutover.status = 'completed';
  await ledger.saveCutover(cutover);
  return report(prepared.plan.name, cutover, earlier);
}

/** What one step does, and whether its criterion holds. */
async function execute(
  name: StepName,
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  options: CutoverOptions,
): Promise<{ passed: boolean; outcome: string; runId: string | null }> {
  const run = async (kind: 'full' | 'delta' | 'dry') => {
    const result = await runMigration(prepared, ledger, {
      signal: options.signal,
      dryRun: kind === 'dry',
      delta: kind === 'delta',
    });
    return {
      passed: result.status === 'completed' && result.problems.length === 0,
      outcome: runOutcome(result),
      runId: result.dryRun ? null : result.runId,
    };
  };
  switch (name) {
    case 'rehearse':
      return run('dry');
    case 'bulk_load':
      return run('full');
    case 'catch_up':
    case 'final_delta':
      return run('delta');
    case 'validate': {
      const check = await reconcile(prepared, ledger);
      return {
        passed: check.verdict === 'pass',
        outcome:
          check.verdict === 'pass'
            ? 'reconcile passed: no difference'
            : `reconcile failed with ${check.differences.length} difference(s), e.g. ${check.differences
                .slice(0, 3)
                .map((d) => `${d.entity} ${d.sourceId ?? d.destinationId} ${d.field ?? 'record'}`)
                .join('; ')}`,
        runId: null,
      };
    }
    case 'watch':
      return watch(prepared, ledger, options);
    case 'freeze':
    case 'switch':
      throw new Error(`step ${name} is the operator's to confirm`);
  }
}

/** Deltas from the old system until the watch period is over (at least one), each change counted. */
async function watch(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  options: CutoverOptions,
): Promise<{ passed: boolean; outcome: string; runId: string | null }> {
  const until = Date.now() + (options.watchMinutes ?? 0) * 60_000;
  const changes: Record<string, number> = {};
  let last: RunResult;
  let deltas = 0;
  do {
    if (deltas > 0)
      await new Promise((resolve) => setTimeout(resolve, Math.min(WATCH_PAUSE_MS, until - Date.now())));
    last = await runMigration(prepared, ledger, { delta: true, signal: options.signal });
    deltas++;
    for (const [entity, c] of Object.entries(last.entities)) {
      const changed = c.created + c.updated + c.deleted;
      if (changed > 0) changes[entity] = (changes[entity] ?? 0) + changed;
    }
    if (last.status !== 'completed') break;
  } while (Date.now() < until && !options.signal?.aborted);
  const found = Object.entries(changes);
  return {
    passed: last.status === 'completed',
    outcome: `${deltas} delta run(s) from the old system: ${
      found.length === 0
        ? 'no change made there after the switch'
        : `changes made there after the switch, carried over: ${found.map(([entity, n]) => `${n} ${entity}`).join(', ')}`
    }${last.status === 'completed' ? '' : `; the last delta ended ${last.status}`}`,
    runId: last.runId,
  };
}

function runOutcome(result: RunResult): string {
  const totals = { created: 0, updated: 0, unchanged: 0, deleted: 0, quarantined: 0, failed: 0 };
  for (const counters of Object.values(result.entities))
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counters[key];
  const counts = Object.entries(totals)
    .map(([key, n]) => `${n} ${key}`)
    .join(', ');
  return `${result.dryRun ? 'predicted' : `run ${result.runId} ${result.status}`}: ${counts}`;
}

function blankStep(name: StepName): CutoverStepRecord {
  return {
    name,
    status: 'pending',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    outcome: null,
    runId: null,
  };
}

function report(migration: string, cutover: CutoverRow | undefined, earlier: CutoverRow[]): CutoverReport {
  const steps = RUNBOOK.map((definition) =>
    stepView(
      definition,
      cutover?.steps.find((step) => step.name === definition.name) ?? blankStep(definition.name),
      cutover,
      earlier,
    ),
  );
  return {
    migration,
    cutoverId: cutover?.id ?? null,
    status: cutover?.status ?? 'not started',
    at: steps.find((step) => step.status === 'waiting' || step.status === 'failed')?.name ?? null,
    steps,
  };
}

/**
 * A step with its expected duration: what it took in the latest earlier cutover that passed it; for the bulk
 * load with none, the rehearsal's dry run (it reads and looks up every record; the writes come on top).
 */
function stepView(
  definition: StepDefinition,
  record: CutoverStepRecord,
  cutover: CutoverRow | undefined,
  earlier: CutoverRow[],
): CutoverStep {
  const measured = (name: string, rows: CutoverRow[]) =>
    rows
      .map((row) => row.steps.find((step) => step.name === name && step.status === 'passed'))
      .filter((step) => step?.durationMs !== null && step?.durationMs !== undefined)
      .at(-1)?.durationMs ?? null;
  let expectedMs = definition.confirm ? null : measured(definition.name, earlier);
  let expectedFrom = expectedMs === null ? null : 'the last cutover';
  if (expectedMs === null && definition.name === 'bulk_load') {
    expectedMs = measured('rehearse', [...earlier, ...(cutover ? [cutover] : [])]);
    expectedFrom = expectedMs === null ? null : 'the rehearsal (reads and lookups; writes come on top)';
  }
  // Once the step has made its run, its rollback names it.
  const rollback = record.runId
    ? definition.rollback.replace('<this step’s run>', record.runId)
    : definition.rollback;
  return { ...definition, ...record, name: definition.name, rollback, expectedMs, expectedFrom };
}
