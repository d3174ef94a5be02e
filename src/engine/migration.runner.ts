import { dependencyOrder, entityDefinition, type EntityName } from '../canonical/entities';
import type {
  CallLimiter,
  Connector,
  PlatformInfo,
  ReadOptions,
  TokenVault,
} from '../connectors/connector.port';
import { type ConnectorOptions, platformModule } from '../connectors/connector.registry';
import { localLimiter } from '../connectors/kit';
import { cleanerFor } from '../cleaning/cleaner';
import { errorMessage, SwitchyardError } from '../common/errors';
import type { EntityRunStatus, RunStatus } from '../ledger/ledger.entities';
import {
  COUNTER_NAMES,
  type EntityCounters,
  type LedgerRepository,
  zeroCounters,
} from '../ledger/ledger.repository';
import { loadMapping, type LoadedMapping, type MappingChoice } from '../mapping/mapping.loader';
import type { MigrationPlan } from '../plan/migration-plan';
import { batchSizes } from './batch-sizes';
import { DryRun, type Prediction } from './dry-run';
import { runEntity } from './entity.pipeline';
import { propagateDeletes } from './source-deletes';
import { reconcile } from '../reconcile/reconcile';
import type { ProgressListener } from './progress';

/** Everything checked before a single ledger row is written: connectors reachable, mappings compiled. */
export interface PreparedMigration {
  plan: MigrationPlan;
  entities: EntityName[];
  source: Connector;
  destination: Connector;
  sourceInfo: PlatformInfo;
  destinationInfo: PlatformInfo;
  mappings: Record<EntityName, { inbound: LoadedMapping; outbound: LoadedMapping }>;
}

export interface RunProblem {
  entity: string;
  sourceId: string;
  outcome: 'quarantined' | 'failed';
  reason: string;
}

export interface RunResult {
  migration: string;
  runId: string;
  /** `full`; `delta`: only what the source changed since the last completed run; `repair`: only the drift. */
  kind: 'full' | 'delta' | 'repair';
  status: RunStatus;
  resumed: boolean;
  dryRun: boolean;
  /** A dry run's outcome for every record: what the real run would do. */
  predictions?: Prediction[];
  entities: Record<EntityName, EntityCounters>;
  problems: RunProblem[];
  /** Records that loaded, but not quite as in the source: an owner with no match in the destination. */
  warnings: { entity: string; sourceId: string; message: string }[];
}

/**
 * Compiles the plan's mappings and reaches both platforms. Throws SwitchyardError (PLAN_INVALID,
 * MAPPING_INVALID, PLATFORM_*) with a message that says what to fix; writes nothing.
 */
export interface PrepareOptions {
  /**
   * Shared pacing per platform connection (service mode). Without it, a connection whose plan states a
   * `rateLimit` is paced to it in this process, and any other by the platform's own signals.
   */
  limiterFor?: (connection: MigrationPlan['source']) => CallLimiter | undefined;
  /** Where rotating platform tokens are kept; the default opens the ledger DATABASE_URL names. */
  vault?: TokenVault;
}

/**
 * What a connector of the plan's is made with, a migration's as an audit's: its calls paced within the shared
 * budget (service mode), else to the connection's stated limit in this process; reading what `reads` names.
 */
export function connectorOptions(
  plan: MigrationPlan,
  connection: MigrationPlan['source'],
  prepare: PrepareOptions,
  reads: ConnectorOptions['reads'],
): ConnectorOptions {
  return {
    concurrency: plan.options.concurrency,
    limiter: prepare.limiterFor
      ? prepare.limiterFor(connection)
      : connection.rateLimit && localLimiter(connection.rateLimit),
    vault: prepare.vault,
    reads,
    books: { cutoffDate: plan.options.cutoffDate, openingAccount: plan.options.openingBalanceAccount },
    unreachableImages: plan.options.unreachableImages,
  };
}

export async function prepareMigration(
  plan: MigrationPlan,
  prepare: PrepareOptions = {},
): Promise<PreparedMigration> {
  const sourceModule = platformModule(plan.source.platform);
  const destinationModule = platformModule(plan.destination.platform);
  const entities = dependencyOrder(plan.entities);
  const mappings = {} as PreparedMigration['mappings'];
  for (const entity of entities) {
    const type = entityDefinition(entity).type;
    mappings[entity] = {
      inbound: loadMapping(
        plan.source.platform,
        type,
        choice(plan, plan.source.platform, type),
        plan.baseDir,
      ),
      outbound: loadMapping(
        plan.destination.platform,
        type,
        choice(plan, plan.destination.platform, type),
        plan.baseDir,
      ),
    };
  }
  const options = (
    connection: MigrationPlan['source'],
    direction: 'inbound' | 'outbound',
  ): ConnectorOptions => ({
    // The source is read through its mappings; the destination too, by reconcile, through its own.
    ...connectorOptions(
      plan,
      connection,
      prepare,
      Object.fromEntries(entities.map((entity) => [entity, mappings[entity][direction].reads])),
    ),
    bulkReadFrom: plan.options.bulkReadFrom,
  });
  const source = sourceModule.createConnector(plan.source, options(plan.source, 'inbound'));
  const destination = destinationModule.createConnector(
    plan.destination,
    options(plan.destination, 'outbound'),
  );
  for (const [role, connector] of [
    ['source', source],
    ['destination', destination],
  ] as const) {
    for (const entity of entities) {
      if (!connector.entities[entity]) {
        throw new SwitchyardError(
          'PLAN_INVALID',
          `the ${role} platform ${connector.platform} cannot handle ${entity}`,
        );
      }
    }
  }
  for (const [entity, action] of Object.entries(plan.deletes))
    if (action === 'archive' && !destination.entities[entity]?.archive)
      throw new SwitchyardError(
        'PLAN_INVALID',
        `deletes.${entity}: ${destination.platform} cannot archive ${entity}${archivable(destination)}; use delete (the record is removed there) or ignore`,
      );
  const [sourceInfo, destinationInfo] = await Promise.all([
    checkReachable(source, 'source', plan.source.url),
    checkReachable(destination, 'destination', plan.destination.url),
  ]);
  return { plan, entities, source, destination, sourceInfo, destinationInfo, mappings };
}

function archivable(connector: Connector): string {
  const can = Object.entries(connector.entities)
    .filter(([, descriptor]) => descriptor.archive)
    .map(([entity]) => entity);
  return can.length > 0 ? ` (it can archive ${can.join(', ')})` : ' (it archives nothing)';
}

function choice(plan: MigrationPlan, platform: string, type: string): MappingChoice {
  const chosen = plan.mappings[`${platform}.${type}`];
  return typeof chosen === 'number' ? { version: chosen } : (chosen ?? {});
}

async function checkReachable(connector: Connector, role: string, url: string): Promise<PlatformInfo> {
  try {
    return await connector.check();
  } catch (error) {
    if (error instanceof SwitchyardError) {
      throw new SwitchyardError(error.code, `${role} ${connector.platform} at ${url}: ${error.message}`);
    }
    throw error;
  }
}

export interface EntityRunOptions {
  signal?: AbortSignal;
  progress?: ProgressListener;
  /** Called after every committed page, with that page's counters (a worker stops here on pause). */
  afterPage?: (page: EntityCounters) => Promise<void> | void;
  /** A retry run: only these source ids. */
  onlySourceIds?: string[];
  /** A dry run: lookups only, nothing written to the destination or to ledger rows. */
  dryRun?: DryRun;
  /** A delta run: only what the source changed since the entity's high-water mark, less the plan's overlap. */
  delta?: boolean;
  /** A repair run: these records rewritten; those in `gone` are missing in the destination. */
  repair?: { sourceIds: string[]; gone: Set<string> };
  /** When the run began: a full read may take over what the source prepared since (see ReadOptions). */
  runStartedAt?: string;
}

/**
 * Runs one entity of one run from its checkpoint: the unit of work, whether the CLI loops over
 * entities in-process or a queue worker picks it up as a job. Returns the entity's status, or
 * 'interrupted' when the signal stopped it at a page boundary.
 */
export async function executeEntity(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  ids: { migrationId: string; runId: string },
  entity: EntityName,
  options: EntityRunOptions = {},
): Promise<{ status: EntityRunStatus | 'interrupted'; counters: EntityCounters }> {
  // A dry run keeps no checkpoint, so a dry-run job that starts again predicts from the top.
  if (options.dryRun) await ledger.resetCounters(ids.runId, entity);
  const state = await ledger.runEntity(ids.runId, entity);
  const counters: EntityCounters = pickCounters(state);
  if (state.status === 'completed' || state.status === 'completed_with_errors')
    return { status: state.status, counters };
  await ledger.startEntity(ids.runId, entity);
  options.progress?.entityStarted?.(
    entity,
    options.onlySourceIds?.length ?? (await prepared.source.count(entity).catch(() => null)),
    counters,
  );
  const plan = prepared.plan;
  const modifiedSince = options.delta ? await deltaStart(ledger, ids.migrationId, entity, plan) : undefined;
  const outcome =
    state.checkpoint === 'done'
      ? 'completed'
      : await runEntity(
          {
            migrationId: ids.migrationId,
            runId: ids.runId,
            entity,
            source: prepared.source,
            destination: prepared.destination,
            inbound: prepared.mappings[entity].inbound,
            outbound: prepared.mappings[entity].outbound,
            cleaner: cleanerFor(plan.cleaning, entity),
            overLongText: plan.options.overLongText,
            sourceContext: {
              ...prepared.sourceInfo.context,
              currency: prepared.sourceInfo.currency,
              platform: plan.source.platform,
            },
            destinationContext: {
              ...prepared.destinationInfo.context,
              currency: prepared.destinationInfo.currency,
              platform: plan.destination.platform,
            },
            ...batchSizes(prepared, entity),
            // A retry re-reads whatever is still quarantined or failed; its list shrinks, so it restarts from the top.
            checkpoint: options.onlySourceIds ? null : state.checkpoint,
            signal: options.signal,
            onlySourceIds: options.repair?.sourceIds ?? options.onlySourceIds,
            ...(options.repair ? { repair: { gone: options.repair.gone } } : {}),
            dryRun: options.dryRun,
            modifiedSince,
            ...(options.runStartedAt && !options.delta && !options.repair && !options.onlySourceIds
              ? { preparedSince: options.runStartedAt }
              : {}),
            onPage: async (page) => {
              for (const key of COUNTER_NAMES) counters[key] += page[key];
              options.progress?.pageDone?.(entity, counters);
              await options.afterPage?.(page);
            },
          },
          ledger,
        );
  if (outcome === 'interrupted') return { status: 'interrupted', counters };
  // Only once the entity's records are all in: a run that stopped part-way deletes nothing.
  counters.deleted += await propagateDeletes(prepared, ledger, ids, entity, options.dryRun, modifiedSince);
  const status = counters.quarantined + counters.failed > 0 ? 'completed_with_errors' : 'completed';
  await ledger.finishEntity(ids.runId, entity, status);
  options.progress?.entityFinished?.(entity, counters);
  return { status, counters };
}

/**
 * What a repair rewrites, per entity: every source record reconcile finds missing in the destination (`gone`:
 * written anew) or different there. An entity without drift is left alone.
 */
export async function driftOf(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
): Promise<Map<EntityName, { sourceIds: string[]; gone: Set<string> }>> {
  const drift = new Map<EntityName, { sourceIds: string[]; gone: Set<string> }>();
  for (const difference of (await reconcile(prepared, ledger)).differences) {
    if (difference.sourceId === null) continue;
    const entry = drift.get(difference.entity) ?? { sourceIds: [], gone: new Set<string>() };
    if (!entry.sourceIds.includes(difference.sourceId)) entry.sourceIds.push(difference.sourceId);
    if (difference.field === null && difference.destination === null) entry.gone.add(difference.sourceId);
    drift.set(difference.entity, entry);
  }
  return drift;
}

/**
 * Where a delta run of an entity reads from: the last completed run's high-water mark less the plan's overlap,
 * so records changed during that run or stamped by a clock running behind are read again (the ledger's hashes
 * keep them from being written twice). An entity no run has completed is read in full.
 */
async function deltaStart(
  ledger: LedgerRepository,
  migrationId: string,
  entity: EntityName,
  plan: MigrationPlan,
): Promise<string | undefined> {
  const mark = await ledger.watermark(migrationId, entity);
  if (!mark) return undefined;
  return new Date(Date.parse(mark) - plan.options.deltaOverlapMinutes * 60_000).toISOString();
}

export interface RunOptions {
  signal?: AbortSignal;
  progress?: ProgressListener;
  /** Predict instead of load: the destination is only looked up; see RunResult.predictions. */
  dryRun?: boolean;
  /** Read only what the source changed since the last completed run (see deltaStart). */
  delta?: boolean;
  /** Rewrite what reconcile finds missing or different in the destination (see driftOf). */
  repair?: boolean;
}

/** The CLI's scheduling: every entity of a prepared migration, in dependency order, in this process. */
export async function runMigration(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  options: RunOptions = {},
): Promise<RunResult> {
  const { plan, entities } = prepared;
  const migration = await ledger.ensureMigration({
    name: plan.name,
    sourcePlatform: plan.source.platform,
    destinationPlatform: plan.destination.platform,
    sourceUrl: plan.source.url,
    destinationUrl: plan.destination.url,
  });
  const dryRun = options.dryRun || plan.options.dryRun ? new DryRun() : undefined;
  const kind = options.repair ? 'repair' : options.delta ? 'delta' : 'full';
  let drift = options.repair ? await driftOf(prepared, ledger) : undefined;
  // A record written anew has a new id: records that point at it (an order at its customer) drift now too.
  let recreated = false;
  const { run, resumed } = await ledger.openRun(migration.id, entities, dryRun !== undefined, kind);
  const results: Record<EntityName, EntityCounters> = {};
  let status: RunStatus = 'completed';
  try {
    // A delta reads what changed and a repair what drifted: only a full read is worth preparing ahead.
    if (!options.delta && !drift)
      await prepareReads(prepared, ledger, run.id, { dryRun: dryRun !== undefined, since: run.startedAt });
    for (const entity of entities) {
      const ids = { migrationId: migration.id, runId: run.id };
      if (recreated) {
        drift = await driftOf(prepared, ledger);
        recreated = false;
      }
      const repair = drift?.get(entity);
      if (drift && !repair) {
        results[entity] = zeroCounters();
        continue;
      }
      const result = await executeEntity(prepared, ledger, ids, entity, {
        ...options,
        dryRun,
        delta: options.delta,
        repair,
        runStartedAt: run.startedAt,
      });
      results[entity] = result.counters;
      if (repair && repair.gone.size > 0 && result.counters.created > 0 && !dryRun) recreated = true;
      if (result.status === 'interrupted') {
        status = 'interrupted';
        break;
      }
      if (result.status === 'completed_with_errors') status = 'completed_with_errors';
    }
  } catch (error) {
    await ledger.finishRun(run.id, 'failed', errorMessage(error));
    throw error;
  }
  const problems = dryRun
    ? predictedProblems(dryRun.predictions)
    : await problemsOf(ledger, migration.id, run.id);
  const warnings = dryRun
    ? dryRun.predictions
        .filter((p) => p.reason && ['created', 'updated', 'unchanged'].includes(p.outcome))
        .map((p) => ({ entity: p.entity, sourceId: p.sourceId, message: p.reason! }))
    : (await ledger.warnings(migration.id, run.id)).map((row) => ({
        entity: row.entity,
        sourceId: row.sourceId,
        message: row.lastError!,
      }));
  if (status === 'completed' && problems.length > 0) status = 'completed_with_errors';
  await ledger.finishRun(run.id, status);
  return {
    migration: plan.name,
    runId: run.id,
    kind,
    status,
    resumed,
    dryRun: dryRun !== undefined,
    entities: results,
    problems,
    warnings,
    ...(dryRun ? { predictions: dryRun.predictions } : {}),
  };
}

/**
 * Tells the source the reads this run will make, in order, so it may prepare them while earlier entities load
 * (see Connector.prepareReads): each unfinished entity from its checkpoint, or from the top for a dry run.
 * `since`: the run's start, as each read will be told.
 */
export async function prepareReads(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  runId: string,
  options: { dryRun: boolean; since: string },
): Promise<void> {
  if (!prepared.source.prepareReads) return;
  const reads: { entity: EntityName; options: ReadOptions }[] = [];
  for (const entity of prepared.entities) {
    const state = await ledger.runEntity(runId, entity);
    if (['completed', 'completed_with_errors'].includes(state.status) || state.checkpoint === 'done')
      continue;
    const cursor = options.dryRun ? null : state.checkpoint;
    const { pageSize } = batchSizes(prepared, entity);
    reads.push({ entity, options: { cursor, pageSize, preparedSince: options.since } });
  }
  if (reads.length > 0) prepared.source.prepareReads(reads);
}

function predictedProblems(predictions: Prediction[]): RunProblem[] {
  return predictions
    .filter((p) => p.outcome === 'quarantined' || p.outcome === 'failed')
    .map((p) => ({
      entity: p.entity,
      sourceId: p.sourceId,
      outcome: p.outcome as RunProblem['outcome'],
      reason: p.reason ?? '',
    }));
}

export async function problemsOf(
  ledger: LedgerRepository,
  migrationId: string,
  runId: string,
): Promise<RunProblem[]> {
  return (await ledger.problems(migrationId, runId)).map((row) => ({
    entity: row.entity,
    sourceId: row.sourceId,
    outcome: row.lastOutcome as 'quarantined' | 'failed',
    reason: row.lastError ?? '',
  }));
}

function pickCounters(state: EntityCounters): EntityCounters {
  const counters = zeroCounters();
  for (const key of COUNTER_NAMES) counters[key] = state[key];
  return counters;
}
