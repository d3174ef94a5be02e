import { randomUUID } from 'node:crypto';
import { type DataSource, type EntityManager, In, IsNull, Not } from 'typeorm';
import { SwitchyardError } from '../common/errors';
import {
  CutoverRow,
  LedgerRecordRow,
  MigrationRow,
  type RecordOutcome,
  type RecordRefs,
  RunEntityRow,
  RunRow,
  type RunKind,
  type RunStatus,
  WatermarkRow,
  WriteJournalRow,
} from './ledger.entities';
import { type JournalDraft, RecordSql } from './record-sql';
import { FINISHING, RUN_TRANSITIONS, type RunAction } from './run-states';

export interface EntityCounters {
  extracted: number;
  created: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  failed: number;
  /** Left behind by a cleaning rule of the plan. */
  skipped: number;
  /** Duplicates folded into a surviving record by a merge rule of the plan. */
  merged: number;
  /** Deleted in the destination because the source deleted them (the plan's `deletes`). */
  deleted: number;
}

export const COUNTER_NAMES: (keyof EntityCounters)[] = [
  'extracted',
  'created',
  'updated',
  'unchanged',
  'quarantined',
  'failed',
  'skipped',
  'merged',
  'deleted',
];

export function zeroCounters(): EntityCounters {
  return {
    extracted: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    quarantined: 0,
    failed: 0,
    skipped: 0,
    merged: 0,
    deleted: 0,
  };
}

export type { JournalDraft };

/** What one page changed: the rows to write and the counters to add, written with the checkpoint. */
export interface PageCommit {
  rows: Omit<LedgerRecordRow, 'id' | 'updatedAt'>[];
  /** Every destination write the page made, committed with its rows. */
  journal?: JournalDraft[];
  /** The latest source modified time (ISO UTC) among the page's records: raises the run's candidate mark. */
  highWater?: string | null;
  counters: EntityCounters;
  /** The cursor after this page; `undefined` leaves the checkpoint where it is (dry runs). */
  checkpoint?: string | null;
  /** Source ids of records found unchanged: their rows keep everything but this run and its outcome. */
  unchanged?: string[];
  /** Source ids whose rows go: a rollback deleted what the run created, so the next run creates it anew. */
  forget?: string[];
}

const now = () => new Date().toISOString();
/** Ids per `IN (…)` list. */
const IN_CHUNK = 500;

/**
 * Everything the engine reads from and writes to the ledger. The ledger, not a queue, is the truth:
 * a page's rows and the entity's checkpoint are written in one transaction.
 */
export class LedgerRepository {
  private readonly sql: RecordSql;

  constructor(private readonly dataSource: DataSource) {
    this.sql = new RecordSql(dataSource.options.type === 'postgres');
  }

  /**
   * Whether a page's commit may still be on its way while the next page is read and written: on Postgres, whose
   * pool gives the commit a connection of its own. SQLite has one connection, which a transaction holds.
   */
  get commitsOverlap(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  async ensureMigration(
    spec: Pick<
      MigrationRow,
      'name' | 'sourcePlatform' | 'destinationPlatform' | 'sourceUrl' | 'destinationUrl'
    >,
  ): Promise<MigrationRow> {
    const repo = this.dataSource.getRepository(MigrationRow);
    const existing = await repo.findOneBy({ name: spec.name });
    if (existing) {
      if (
        existing.sourcePlatform !== spec.sourcePlatform ||
        existing.destinationPlatform !== spec.destinationPlatform
      ) {
        throw new SwitchyardError(
          'PLAN_INVALID',
          `migration "${spec.name}" already exists in this ledger as ${existing.sourcePlatform} → ${existing.destinationPlatform}; give the plan a new name`,
        );
      }
      return existing;
    }
    const row = repo.create({
      ...spec,
      id: randomUUID(),
      createdAt: now(),
      sourceConnectionId: null,
      destinationConnectionId: null,
      definition: null,
    });
    await repo.insert(row);
    return row;
  }

  /**
   * Resumes the migration's last run if it did not finish, else starts a new one. A dry run always
   * starts fresh and never resumes or is resumed.
   */
  async openRun(
    migrationId: string,
    entities: string[],
    dryRun: boolean,
    kind: RunKind = 'full',
  ): Promise<{ run: RunRow; resumed: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      if (!dryRun) {
        const last = await manager.getRepository(RunRow).findOne({
          where: { migrationId, dryRun: false },
          order: { startedAt: 'DESC' },
        });
        if (
          last &&
          (last.status === 'running' || last.status === 'interrupted' || last.status === 'failed')
        ) {
          const missing = entities.filter((entity) => !last.entities.includes(entity));
          // Only a run of the same kind goes on: a delta does not finish a full run's reading, nor the reverse.
          if (
            missing.length === 0 &&
            last.kind === kind &&
            (await transitionRun(manager, last.id, 'recover'))
          )
            return { run: { ...last, status: 'running' }, resumed: true };
          await transitionRun(manager, last.id, 'supersede');
        }
      }
      const run = await insertRun(manager, {
        migrationId,
        entities,
        status: 'running',
        dryRun,
        kind,
        retryOf: null,
      });
      return { run, resumed: false };
    });
  }

  async runEntity(runId: string, entity: string): Promise<RunEntityRow> {
    const row = await this.dataSource.getRepository(RunEntityRow).findOneBy({ runId, entity });
    if (!row) throw new SwitchyardError('LEDGER_STATE', `run ${runId} has no entity ${entity}`);
    return row;
  }

  async runEntities(runId: string): Promise<RunEntityRow[]> {
    return this.dataSource.getRepository(RunEntityRow).find({ where: { runId } });
  }

  async startEntity(runId: string, entity: string): Promise<void> {
    await this.dataSource
      .getRepository(RunEntityRow)
      .createQueryBuilder()
      .update()
      .set({ status: 'running', startedAt: () => `COALESCE(started_at, '${now()}')` })
      .where('run_id = :runId AND entity = :entity', { runId, entity })
      .execute();
  }

  async resetCounters(runId: string, entity: string): Promise<void> {
    await this.dataSource.getRepository(RunEntityRow).update({ runId, entity }, zeroCounters());
  }

  async finishEntity(runId: string, entity: string, status: RunEntityRow['status']): Promise<void> {
    await this.dataSource
      .getRepository(RunEntityRow)
      .update({ runId, entity }, { status, finishedAt: now() });
  }

  /** Ends a run in `status` through the run state machine; false when its state does not allow it. */
  async finishRun(runId: string, status: RunStatus, error: string | null = null): Promise<boolean> {
    const action = FINISHING[status];
    if (!action) throw new Error(`no action ends a run as ${status}`);
    return transitionRun(this.dataSource.manager, runId, action, error);
  }

  async rowsBySourceId(
    migrationId: string,
    entity: string,
    sourceIds: string[],
  ): Promise<Map<string, LedgerRecordRow>> {
    if (sourceIds.length === 0) return new Map();
    return this.sql.bySourceId(this.dataSource, migrationId, entity, sourceIds);
  }

  /** Loaded records holding these merge keys: the survivors a duplicate merges into. */
  async loadedByNaturalKey(
    migrationId: string,
    entity: string,
    keys: string[],
  ): Promise<Map<string, LedgerRecordRow>> {
    if (keys.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(LedgerRecordRow).find({
      where: { migrationId, entity, naturalKey: In(keys), status: 'loaded' },
      order: { updatedAt: 'ASC' },
    });
    const survivors = new Map<string, LedgerRecordRow>();
    for (const row of rows) if (!survivors.has(row.naturalKey!)) survivors.set(row.naturalKey!, row);
    return survivors;
  }

  /** Marks records as being loaded, before the destination is called, so a crash leaves a trace. */
  async markPending(migrationId: string, entity: string, runId: string, sourceIds: string[]): Promise<void> {
    if (sourceIds.length === 0) return;
    await this.dataSource.transaction((manager) =>
      this.sql.markPending(manager, { migrationId, entity, runId }, sourceIds, now()),
    );
  }

  /** Writes a page's ledger rows, adds its counters and moves the checkpoint, all in one transaction. */
  async commitPage(migrationId: string, runId: string, entity: string, commit: PageCommit): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (let start = 0; start < (commit.forget?.length ?? 0); start += IN_CHUNK)
        await manager.getRepository(LedgerRecordRow).delete({
          migrationId,
          entity,
          sourceId: In(commit.forget!.slice(start, start + IN_CHUNK)),
        });
      const at = now();
      if (commit.rows.length > 0) await this.sql.upsert(manager, commit.rows, at);
      if (commit.unchanged?.length)
        await this.sql.touch(manager, { migrationId, entity, runId }, commit.unchanged);
      if (commit.journal?.length)
        await this.sql.journal(manager, { migrationId, runId, entity, at }, commit.journal);
      const increments = COUNTER_NAMES.filter((name) => commit.counters[name] > 0);
      const builder = manager.getRepository(RunEntityRow).createQueryBuilder().update();
      const set: Record<string, unknown> = {};
      for (const name of increments) set[name] = () => `${name} + ${commit.counters[name]}`;
      if (commit.checkpoint !== undefined) set.checkpoint = commit.checkpoint;
      if (commit.highWater)
        set.highWater = () =>
          'CASE WHEN high_water IS NULL OR high_water < :highWater THEN :highWater ELSE high_water END';
      if (Object.keys(set).length > 0) {
        await builder
          .set(set)
          .where('run_id = :runId AND entity = :entity', { runId, entity, highWater: commit.highWater })
          .execute();
      }
    });
  }

  /** Where a delta run of an entity starts: the high-water mark the last completed run left, if any. */
  async watermark(migrationId: string, entity: string): Promise<string | null> {
    return (
      (await this.dataSource.getRepository(WatermarkRow).findOneBy({ migrationId, entity }))?.highWater ??
      null
    );
  }

  /**
   * The journal of a migration's writes, oldest first: of one run, or of one source record. A row per write: a
   * record's entry, then one for each child and link it wrote (kept in its `parts`, or in rows of their own in
   * ledgers from before parts were kept with their record).
   */
  async journal(
    migrationId: string,
    filter: { runId?: string; entity?: string; sourceId?: string } = {},
  ): Promise<WriteJournalRow[]> {
    const rows = await this.dataSource.getRepository(WriteJournalRow).find({
      where: { migrationId, ...filter },
      order: { at: 'ASC' },
    });
    return rows.flatMap((row) => [row, ...partRows(row)]);
  }

  /** A migration's cutovers, oldest first. */
  async cutovers(migrationId: string): Promise<CutoverRow[]> {
    return this.dataSource
      .getRepository(CutoverRow)
      .find({ where: { migrationId }, order: { startedAt: 'ASC' } });
  }

  async saveCutover(cutover: CutoverRow): Promise<void> {
    await this.dataSource.getRepository(CutoverRow).save({ ...cutover, updatedAt: now() });
  }

  async run(runId: string): Promise<RunRow | null> {
    return this.dataSource.getRepository(RunRow).findOneBy({ id: runId });
  }

  /** A migration's runs, oldest first. */
  async runsOf(migrationId: string): Promise<RunRow[]> {
    return this.dataSource
      .getRepository(RunRow)
      .find({ where: { migrationId }, order: { startedAt: 'ASC' } });
  }

  /**
   * Opens the rollback run of `target`: the unfinished one goes on (a rollback is resumable), else a new one
   * starts. Any other unfinished run of the migration is left behind, as interrupted.
   */
  async openRollback(target: RunRow): Promise<{ run: RunRow; resumed: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const unfinished = await manager.getRepository(RunRow).findBy({
        migrationId: target.migrationId,
        dryRun: false,
        status: In(['running', 'interrupted', 'failed']),
      });
      for (const run of unfinished) {
        if (
          run.kind === 'rollback' &&
          run.undoes === target.id &&
          (await transitionRun(manager, run.id, 'recover'))
        )
          return { run: { ...run, status: 'running' as const }, resumed: true };
        if (run.id !== target.id) await transitionRun(manager, run.id, 'supersede');
      }
      const run = await insertRun(manager, {
        migrationId: target.migrationId,
        entities: target.entities,
        status: 'running',
        dryRun: false,
        kind: 'rollback',
        retryOf: null,
        undoes: target.id,
      });
      return { run, resumed: false };
    });
  }

  /**
   * The run is undone: it no longer counts for where a delta starts, so each entity's high-water mark goes
   * back to the latest one a completed full or delta run still standing left (none: the next delta reads all).
   */
  async markRolledBack(target: RunRow): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await transitionRun(manager, target.id, 'rollBack');
      const standing = await manager.getRepository(RunRow).findBy({
        migrationId: target.migrationId,
        dryRun: false,
        kind: In(['full', 'delta']),
        status: In(['completed', 'completed_with_errors']),
      });
      const marks = standing.length
        ? await manager
            .getRepository(RunEntityRow)
            .findBy({ runId: In(standing.map((run) => run.id)), highWater: Not(IsNull()) })
        : [];
      for (const entity of target.entities) {
        const best = marks
          .filter((mark) => mark.entity === entity)
          .sort((a, b) => (a.highWater! < b.highWater! ? 1 : -1))[0];
        const repo = manager.getRepository(WatermarkRow);
        if (!best) await repo.delete({ migrationId: target.migrationId, entity });
        else
          await repo.save({
            migrationId: target.migrationId,
            entity,
            highWater: best.highWater!,
            runId: best.runId,
            updatedAt: now(),
          });
      }
    });
  }

  /**
   * By source id: the migration's latest write of each record (its journal entry): the fields it set are its
   * after-image's keys, and it keeps the links and children it asked for.
   */
  async lastWrites(
    migrationId: string,
    entity: string,
    sourceIds: string[],
  ): Promise<Map<string, Pick<WriteJournalRow, 'after' | 'related'>>> {
    const writes = new Map<string, Pick<WriteJournalRow, 'after' | 'related'>>();
    for (let start = 0; start < sourceIds.length; start += IN_CHUNK) {
      const rows = await this.dataSource.getRepository(WriteJournalRow).find({
        where: {
          migrationId,
          entity,
          part: 'record',
          action: In(['created', 'updated']),
          sourceId: In(sourceIds.slice(start, start + IN_CHUNK)),
        },
        order: { at: 'ASC' },
      });
      for (const row of rows) writes.set(row.sourceId, row);
    }
    return writes;
  }

  /**
   * Repairs a loaded record's row from what the destination holds now: its parts' ids (`refs`), or, when
   * the record is gone from the destination, a row that makes the next run of its entity load it again.
   */
  async repairLoaded(
    migrationId: string,
    entity: string,
    sourceId: string,
    found: { refs: RecordRefs | null } | { gone: string },
  ): Promise<void> {
    const change =
      'gone' in found
        ? { status: 'failed' as const, destinationId: null, sourceHash: '', lastError: found.gone }
        : { refs: found.refs };
    await this.dataSource
      .getRepository(LedgerRecordRow)
      .update({ migrationId, entity, sourceId }, { ...change, updatedAt: now() });
  }

  /** Records of this run that did not load, with their reasons: what the CLI lists and exit code 3 means. */
  async problems(migrationId: string, runId: string): Promise<LedgerRecordRow[]> {
    return this.dataSource.getRepository(LedgerRecordRow).find({
      where: {
        migrationId,
        lastRunId: runId,
        lastOutcome: In(['quarantined', 'failed'] satisfies RecordOutcome[]),
      },
      order: { entity: 'ASC', sourceId: 'ASC' },
    });
  }

  /** Records of this run that loaded with a warning (an owner with no match in the destination, say). */
  async warnings(migrationId: string, runId: string): Promise<LedgerRecordRow[]> {
    return this.dataSource.getRepository(LedgerRecordRow).find({
      where: { migrationId, lastRunId: runId, status: 'loaded', lastError: Not(IsNull()) },
      order: { entity: 'ASC', sourceId: 'ASC' },
    });
  }

  async migrationNamed(name: string): Promise<MigrationRow | null> {
    return this.dataSource.getRepository(MigrationRow).findOneBy({ name });
  }

  /** Every ledger row of one entity of a migration: what reconciliation accounts for. */
  async entityRows(migrationId: string, entity: string): Promise<LedgerRecordRow[]> {
    return this.dataSource
      .getRepository(LedgerRecordRow)
      .find({ where: { migrationId, entity }, order: { sourceId: 'ASC' } });
  }
}

/**
 * Applies a state-machine action to a run if its state allows it (a conditional update); false when not.
 * A run that stops gets its finish time and error; one that goes on again loses them.
 */
export async function transitionRun(
  manager: EntityManager,
  runId: string,
  action: RunAction,
  error: string | null = null,
): Promise<boolean> {
  const { from, to } = RUN_TRANSITIONS[action];
  const stops = to !== 'running' && to !== 'paused';
  const result = await manager
    .getRepository(RunRow)
    .update(
      { id: runId, status: In([...from]) },
      stops ? { status: to, finishedAt: now(), error } : { status: to, finishedAt: null, error: null },
    );
  const moved = (result.affected ?? 0) > 0;
  if (moved && (to === 'completed' || to === 'completed_with_errors')) await raiseWatermarks(manager, runId);
  return moved;
}

/**
 * A full or delta run that completed moves each entity's high-water mark up to the latest source time it
 * read; a run that failed or stopped moves nothing, so the next delta reads from where the last completed one
 * left off.
 */
async function raiseWatermarks(manager: EntityManager, runId: string): Promise<void> {
  const run = await manager.getRepository(RunRow).findOneBy({ id: runId });
  // A retry or a repair reads only some records: the time of one of them says nothing about the others.
  if (!run || run.dryRun || (run.kind !== 'full' && run.kind !== 'delta')) return;
  const entities = await manager.getRepository(RunEntityRow).findBy({ runId });
  for (const { entity, highWater } of entities) {
    if (!highWater) continue;
    const current = await manager
      .getRepository(WatermarkRow)
      .findOneBy({ migrationId: run.migrationId, entity });
    if (current && current.highWater >= highWater) continue;
    await manager
      .getRepository(WatermarkRow)
      .save({ migrationId: run.migrationId, entity, highWater, runId, updatedAt: now() });
  }
}

/** A new run and one pending row per entity: how the CLI and the API both start a run. */
export async function insertRun(
  manager: EntityManager,
  spec: Pick<RunRow, 'migrationId' | 'entities' | 'status' | 'dryRun' | 'kind' | 'retryOf'> &
    Partial<Pick<RunRow, 'undoes'>>,
): Promise<RunRow> {
  const run: RunRow = {
    undoes: null,
    ...spec,
    id: randomUUID(),
    startedAt: now(),
    finishedAt: null,
    error: null,
  };
  await manager.insert(RunRow, run);
  await manager.insert(
    RunEntityRow,
    spec.entities.map((entity) => ({
      runId: run.id,
      entity,
      status: 'pending' as const,
      checkpoint: null,
      startedAt: null,
      finishedAt: null,
    })),
  );
  return run;
}

/** A record entry's parts as journal rows of their own: the record's run, source and time, their own id. */
function partRows(row: WriteJournalRow): WriteJournalRow[] {
  return (row.parts ?? []).map((part, index) => ({
    ...row,
    id: `${row.id}.${index + 1}`,
    part: part.part,
    object: part.object,
    destinationId: part.destinationId,
    action: part.action,
    before: part.before ?? null,
    after: null,
    related: null,
    link: part.link ?? null,
    parts: null,
  }));
}
