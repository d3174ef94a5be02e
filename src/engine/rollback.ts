import { dependencyOrder, type EntityName } from '../canonical/entities';
import type { Connector, LoadItem } from '../connectors/connector.port';
import { errorMessage, SwitchyardError } from '../common/errors';
import type { LedgerRecordRow, RunRow, RunStatus, WriteJournalRow } from '../ledger/ledger.entities';
import { type JournalDraft, type LedgerRepository, zeroCounters } from '../ledger/ledger.repository';
import { ACTIVE_RUN } from '../ledger/run-states';
import { deleteEach } from './destination-deletes';
import { imageOf } from './journal';
import type { PreparedMigration } from './migration.runner';
import { holds, recreatable } from './written-image';

/**
 * What undoing one record's write takes: deleting what the run created, restoring what it updated (or archived:
 * its fields written back take it out of the archive), creating again what it deleted.
 */
export type Undo = 'delete' | 'restore' | 'recreate';

export interface RollbackEntry {
  entity: string;
  sourceId: string;
  /** Where the record is (or was) in the destination; a re-created record's new id. */
  destinationId: string;
  undo: Undo;
  outcome: 'reversed' | 'kept' | 'failed';
  /** Why it was kept or failed; for one already reversed (by an earlier attempt), that. */
  reason?: string;
}

export interface RollbackResult {
  migration: string;
  /** The rollback run's own id (none for a dry run). */
  runId: string | null;
  /** The run it undoes. */
  undoes: string;
  status: RunStatus;
  dryRun: boolean;
  resumed: boolean;
  entities: Record<string, { reversed: number; kept: number; failed: number }>;
  reversed: RollbackEntry[];
  kept: RollbackEntry[];
  failed: RollbackEntry[];
}

export interface RollbackOptions {
  /** List what would be undone, reading the destination, writing nothing. */
  dryRun?: boolean;
  /** Undo records changed in the destination since the run too, instead of keeping them. */
  force?: boolean;
  signal?: AbortSignal;
  /** Called after each committed chunk, with the entity's entries so far. */
  onChunk?: (entity: string, done: number, total: number) => void;
}

/** One record's write in the run, as its journal tells it: the first before-image, the last after-image. */
interface Written {
  sourceId: string;
  destinationId: string;
  action: 'created' | 'updated' | 'deleted' | 'archived';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The links and children it was written with (for a delete: its last write's), to create it again whole. */
  related: WriteJournalRow['related'];
}

const CHUNK = 100;

/**
 * Undoes one run from its journal, entity by entity in reverse dependency order: deletes what it created,
 * restores the fields it updated from their before-images, and creates again what it deleted. A record the
 * destination holds neither as the run wrote it nor as it was before has been changed since: it is kept (unless
 * `force`) and reported. The rollback is a run of its own, journaled and resumable: running it again finds what
 * an earlier attempt undid already undone, and goes on with the rest.
 */
export async function rollbackRun(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  targetRunId: string,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const { plan } = prepared;
  const migration = await ledger.migrationNamed(plan.name);
  if (!migration)
    throw new SwitchyardError(
      'PLAN_INVALID',
      `this ledger has no migration "${plan.name}": nothing to roll back`,
    );
  const target = await ledger.run(targetRunId);
  if (!target || target.migrationId !== migration.id) {
    const runs = (await ledger.runsOf(migration.id)).filter((run) => !run.dryRun).slice(-10);
    throw new SwitchyardError(
      'PLAN_INVALID',
      `run ${targetRunId} is not a run of migration "${plan.name}" in this ledger. Its latest runs:\n${runs
        .map((run) => `  ${run.id}  ${run.kind.padEnd(8)} ${run.status.padEnd(21)} ${run.startedAt}`)
        .join('\n')}`,
    );
  }
  refuseUnless(target, targetRunId);
  const journal = await ledger.journal(migration.id, { runId: target.id });
  const later = await laterWrites(ledger, target);
  const opened = options.dryRun ? null : await ledger.openRollback(target);
  const result: RollbackResult = {
    migration: plan.name,
    runId: opened?.run.id ?? null,
    undoes: target.id,
    status: 'completed',
    dryRun: options.dryRun === true,
    resumed: opened?.resumed ?? false,
    entities: {},
    reversed: [],
    kept: [],
    failed: [],
  };
  const entities = dependencyOrder(target.entities).reverse();
  try {
    for (const entity of entities) {
      const writes = writtenRecords(journal.filter((row) => row.entity === entity));
      const counts = (result.entities[entity] = { reversed: 0, kept: 0, failed: 0 });
      if (opened) {
        // Resumed, every record is judged again from what the destination holds: the counts start over.
        await ledger.resetCounters(opened.run.id, entity);
        await ledger.startEntity(opened.run.id, entity);
      }
      for (let start = 0; start < writes.length; start += CHUNK) {
        if (options.signal?.aborted) {
          result.status = 'interrupted';
          break;
        }
        const chunk = await whereNow(ledger, migration.id, entity, writes.slice(start, start + CHUNK));
        const { entries, journal: written } = await undoChunk(prepared, entity, chunk, later, options);
        for (const entry of entries) {
          counts[entry.outcome]++;
          result[entry.outcome].push(entry);
        }
        if (opened) await commitChunk(ledger, migration.id, opened.run.id, entity, entries, written);
        options.onChunk?.(entity, Math.min(start + CHUNK, writes.length), writes.length);
      }
      if (result.status === 'interrupted') break;
      if (opened)
        await ledger.finishEntity(
          opened.run.id,
          entity,
          counts.failed > 0 ? 'completed_with_errors' : 'completed',
        );
    }
  } catch (error) {
    if (opened) await ledger.finishRun(opened.run.id, 'failed', errorMessage(error));
    throw error;
  }
  if (result.status !== 'interrupted' && result.failed.length > 0) result.status = 'completed_with_errors';
  if (opened) {
    await ledger.finishRun(opened.run.id, result.status);
    // Undone for good only when nothing failed: a failed undo is tried again by running the rollback again.
    if (result.status === 'completed') await ledger.markRolledBack(target);
  }
  return result;
}

function refuseUnless(target: RunRow, runId: string): void {
  if (target.dryRun)
    throw new SwitchyardError('PLAN_INVALID', `run ${runId} was a dry run: it wrote nothing to undo`);
  if (target.kind === 'rollback')
    throw new SwitchyardError(
      'PLAN_INVALID',
      `run ${runId} is itself a rollback: to bring its records back, run the migration again`,
    );
  if (ACTIVE_RUN.includes(target.status))
    throw new SwitchyardError(
      'LEDGER_STATE',
      `run ${runId} is ${target.status}: stop it (or let \`migrate\` finish it) before rolling it back`,
    );
}

/** The run's writes of whole records, one per record, in the order it made them. */
function writtenRecords(rows: WriteJournalRow[]): Written[] {
  const bySource = new Map<string, Written>();
  for (const row of rows) {
    // Children and links follow their record: deleted with it, or created again with it from `related`. Those
    // an update wrote are left as it wrote them.
    if (row.part !== 'record' || row.action === 'linked' || row.action === 'unlinked') continue;
    const known = bySource.get(row.sourceId);
    if (!known)
      bySource.set(row.sourceId, {
        sourceId: row.sourceId,
        destinationId: row.destinationId,
        action: row.action,
        before: row.before,
        after: row.after,
        related: row.related,
      });
    // A record written twice in one run (a retried page) keeps what it was first and what it became last.
    else known.after = row.after ?? known.after;
  }
  return [...bySource.values()];
}

/**
 * The run's writes, each pointed at where its record is now: a record deleted and created again since (by
 * the rollback of a later run) has a new destination id, which the ledger holds.
 */
async function whereNow(
  ledger: LedgerRepository,
  migrationId: string,
  entity: string,
  chunk: Written[],
): Promise<Written[]> {
  const rows = await ledger.rowsBySourceId(
    migrationId,
    entity,
    chunk.map((write) => write.sourceId),
  );
  return chunk.map((write) => {
    const now = rows.get(write.sourceId)?.destinationId;
    return write.action !== 'deleted' && now && now !== write.destinationId
      ? { ...write, destinationId: now }
      : write;
  });
}

/** Later runs' writes, by destination id: a record one of them wrote again must be undone there first. */
async function laterWrites(ledger: LedgerRepository, target: RunRow): Promise<Map<string, string>> {
  const later = (await ledger.runsOf(target.migrationId)).filter(
    (run) =>
      run.startedAt > target.startedAt &&
      !run.dryRun &&
      run.kind !== 'rollback' &&
      run.status !== 'rolled_back',
  );
  const written = new Map<string, string>();
  for (const run of later)
    for (const row of await ledger.journal(target.migrationId, { runId: run.id }))
      if (row.part === 'record') written.set(`${row.entity}/${row.destinationId}`, run.id);
  return written;
}

/** A chunk's entries, and the journal of what undoing them wrote. */
interface UndoneChunk {
  entries: RollbackEntry[];
  journal: JournalDraft[];
}

async function undoChunk(
  prepared: PreparedMigration,
  entity: EntityName,
  chunk: Written[],
  later: Map<string, string>,
  options: RollbackOptions,
): Promise<UndoneChunk> {
  const { destination } = prepared;
  const present = chunk.filter((write) => write.action !== 'deleted');
  const fields = [
    ...new Set(
      present.flatMap((write) => [...Object.keys(write.after ?? {}), ...Object.keys(write.before ?? {})]),
    ),
  ];
  const images = new Map<string, Record<string, unknown>>();
  if (present.length > 0)
    for (const record of await destination.fetch(
      entity,
      present.map((write) => write.destinationId),
      fields,
    ))
      images.set(destination.idOf(entity, record), imageOf(destination, entity, record, fields));

  const entries: RollbackEntry[] = [];
  const deletes: { entry: RollbackEntry; image: Record<string, unknown> }[] = [];
  const writes: { entry: RollbackEntry; item: LoadItem; image: Record<string, unknown> | null }[] = [];
  for (const write of chunk) {
    const undo: Undo =
      write.action === 'created' ? 'delete' : write.action === 'deleted' ? 'recreate' : 'restore';
    const entry: RollbackEntry = {
      entity,
      sourceId: write.sourceId,
      destinationId: write.destinationId,
      undo,
      outcome: 'reversed',
    };
    entries.push(entry);
    const image = images.get(write.destinationId);
    const decision = decide(write, undo, image, later.get(`${entity}/${write.destinationId}`), options.force);
    if (decision !== 'undo') {
      Object.assign(entry, decision);
      continue;
    }
    if (undo === 'delete') deletes.push({ entry, image: image! });
    else if (undo === 'restore')
      writes.push({
        entry,
        image: image!,
        item: { sourceId: write.sourceId, destinationId: write.destinationId, payload: write.before! },
      });
    else
      writes.push({
        entry,
        image: null,
        item: {
          sourceId: write.sourceId,
          payload: recreatable(write.before!),
          ...(write.related?.links ? { links: write.related.links } : {}),
          ...(write.related?.children ? { children: write.related.children } : {}),
        },
      });
  }
  await skipRecreated(destination, entity, writes);
  if (options.dryRun) return { entries, journal: [] };

  const journal: JournalDraft[] = [];
  const journalOf = (
    entry: RollbackEntry,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ) =>
    journal.push({
      sourceId: entry.sourceId,
      part: 'record',
      object: entity,
      destinationId: entry.destinationId,
      action: entry.undo === 'delete' ? 'deleted' : entry.undo === 'restore' ? 'updated' : 'created',
      before,
      after,
      related: null,
      link: null,
    });
  if (deletes.length > 0) {
    const refusals = await deleteEach(
      destination,
      entity,
      deletes.map(({ entry }) => entry.destinationId),
    );
    for (const { entry, image } of deletes) {
      const refusal = refusals.get(entry.destinationId);
      // Refused by the platform's rule: kept, since trying again changes nothing; anything else fails, to retry.
      if (refusal)
        Object.assign(entry, { outcome: refusal.refused ? 'kept' : 'failed', reason: refusal.reason });
      else journalOf(entry, image, null);
    }
  }
  if (writes.length > 0) {
    const outcomes = await destination
      .upsert(
        entity,
        writes.map(({ item }) => item),
      )
      .catch((error: unknown) =>
        writes.map(() => ({ action: 'failed' as const, error: errorMessage(error) })),
      );
    outcomes.forEach((outcome, index) => {
      const { entry, item, image } = writes[index];
      if (outcome.action === 'created' || outcome.action === 'updated') {
        entry.destinationId = outcome.destinationId;
        journalOf(entry, image, item.payload);
      } else if ('error' in outcome) Object.assign(entry, { outcome: 'failed', reason: outcome.error });
    });
  }
  return { entries, journal };
}

/**
 * Drops from `writes` the re-creates an earlier attempt made already: the destination finds the record by its
 * source identity (the same lookup that keeps an upsert from doubling it).
 */
async function skipRecreated(
  destination: Connector,
  entity: EntityName,
  writes: { entry: RollbackEntry; item: LoadItem }[],
): Promise<void> {
  const recreates = writes.filter(({ item }) => !item.destinationId);
  if (recreates.length === 0) return;
  const found = await destination.preview(
    entity,
    recreates.map(({ item }) => item),
  );
  found.forEach((outcome, index) => {
    if (outcome.action !== 'updated') return;
    const { entry } = recreates[index];
    Object.assign(entry, { destinationId: outcome.destinationId, reason: 'already created again' });
    writes.splice(writes.indexOf(recreates[index]), 1);
  });
}

/**
 * Whether to undo one record's write, from what the destination holds now (`image`, absent when the record is
 * gone): `undo`, or the entry's outcome and reason when there is nothing to do or it must be kept.
 */
function decide(
  write: Written,
  undo: Undo,
  image: Record<string, unknown> | undefined,
  laterRun: string | undefined,
  force: boolean | undefined,
): 'undo' | Pick<RollbackEntry, 'outcome' | 'reason'> {
  if (undo === 'recreate')
    return write.before
      ? 'undo'
      : { outcome: 'failed', reason: 'the run kept no image of it before deleting it' };
  // An archived record is out of the platform's lists (WooCommerce's trash): its fields written back bring it back.
  if (write.action === 'archived') {
    if (!write.before)
      return { outcome: 'failed', reason: 'the run kept no image of it before archiving it' };
    const restored =
      image &&
      Object.entries(write.before).every(([field, value]) => !(field in image) || holds(image[field], value));
    return restored ? { outcome: 'reversed', reason: 'already out of the archive' } : 'undo';
  }
  if (!image)
    return undo === 'delete'
      ? { outcome: 'reversed', reason: 'already gone from the destination' }
      : { outcome: 'failed', reason: 'gone from the destination: nothing to restore' };
  if (undo === 'restore') {
    if (!write.before)
      return {
        outcome: 'kept',
        reason:
          'the run found this record in the destination, not in the ledger, and kept no image of it before',
      };
    if (
      Object.entries(write.before).every(([field, value]) => !(field in image) || holds(image[field], value))
    )
      return { outcome: 'reversed', reason: 'already as it was before the run' };
  }
  // Every field as the run wrote it, or (part-way through an earlier attempt) as it was before.
  const asWritten = Object.entries(write.after ?? {}).every(
    ([field, value]) =>
      !(field in image) ||
      holds(image[field], value) ||
      (write.before !== null && field in write.before && holds(image[field], write.before[field])),
  );
  if (asWritten || force) return 'undo';
  return {
    outcome: 'kept',
    reason: laterRun
      ? `written again by the later run ${laterRun}: roll that run back first`
      : 'changed in the destination since the run (--force undoes it anyway)',
  };
}

/**
 * The ledger after a chunk: a record whose creation was undone is forgotten (the next run creates it anew), a
 * restored or re-created one is loaded with no hash (the next run writes it again if the source still says so);
 * each write the rollback made is journaled under its own run.
 */
async function commitChunk(
  ledger: LedgerRepository,
  migrationId: string,
  runId: string,
  entity: string,
  entries: RollbackEntry[],
  journal: JournalDraft[],
): Promise<void> {
  const reversed = entries.filter((entry) => entry.outcome === 'reversed');
  const rows = await ledger.rowsBySourceId(
    migrationId,
    entity,
    reversed.filter((entry) => entry.undo !== 'delete').map((entry) => entry.sourceId),
  );
  const counters = zeroCounters();
  for (const entry of entries) {
    if (entry.outcome === 'failed') counters.failed++;
    else if (entry.outcome === 'kept') counters.unchanged++;
    else if (entry.undo === 'delete') counters.deleted++;
    else if (entry.undo === 'restore') counters.updated++;
    else counters.created++;
  }
  await ledger.commitPage(migrationId, runId, entity, {
    forget: reversed.filter((entry) => entry.undo === 'delete').map((entry) => entry.sourceId),
    rows: reversed
      .filter((entry) => entry.undo !== 'delete' && rows.has(entry.sourceId))
      .map((entry) => {
        return {
          ...rowContent(rows.get(entry.sourceId)!),
          status: 'loaded' as const,
          destinationId: entry.destinationId,
          sourceHash: '',
          lastOutcome: entry.undo === 'restore' ? ('updated' as const) : ('created' as const),
          lastError: null,
          lastRunId: runId,
        };
      }),
    journal,
    counters,
  });
}

const rowContent = ({ id: _id, updatedAt: _updatedAt, ...row }: LedgerRecordRow) => row;
