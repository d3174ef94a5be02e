import { entityDefinition, type EntityName } from '../canonical/entities';
import { SwitchyardError } from '../common/errors';
import type { LedgerRepository } from '../ledger/ledger.repository';
import { zeroCounters } from '../ledger/ledger.repository';
import type { DryRun } from './dry-run';
import { deleteEach, type DeleteRefusal } from './destination-deletes';
import { imageOf } from './journal';
import { batchSizes } from './batch-sizes';
import type { PreparedMigration } from './migration.runner';

/**
 * Records deleted in the source, made so in the destination as the plan's `deletes` says: found by reading the
 * source's complete id list against the records the ledger holds as loaded, or, in a delta run (`deletedSince`),
 * from the platform's own feed of deletes where it has one. A read that does not complete
 * throws before anything is deleted, and so does a share of deletes above the plan's limit, which says why.
 * Each delete (or archive, where the plan says so) is journaled with the record as the destination held it.
 * Returns how many went.
 */
export async function propagateDeletes(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
  ids: { migrationId: string; runId: string },
  entity: EntityName,
  dryRun?: DryRun,
  deletedSince?: string,
): Promise<number> {
  const action = prepared.plan.deletes[entity] ?? 'ignore';
  if (action === 'ignore') return 0;
  const { destination } = prepared;
  const loaded = (await ledger.entityRows(ids.migrationId, entity)).filter(
    (row) => row.status === 'loaded' && row.destinationId,
  );
  const gone = loaded.filter(await goneFromSource(prepared, entity, deletedSince));
  if (gone.length === 0) return 0;
  const limit = prepared.plan.options.deleteLimitPercent;
  if (gone.length * 100 > loaded.length * limit)
    throw new SwitchyardError(
      'SAFETY_LIMIT',
      `${gone.length} of the ${loaded.length} ${entity} loaded before are gone from the source (${Math.round((gone.length * 100) / loaded.length)}%), more than the plan's limit of ${limit}%: nothing was deleted. If the source really lost them, raise options.deleteLimitPercent and run again; otherwise look at the source first`,
    );
  const reason =
    action === 'archive' ? 'deleted in the source; archived in the destination' : 'deleted in the source';
  if (dryRun) {
    for (const row of gone)
      dryRun.record(entity, entityDefinition(entity).type, row.sourceId, 'deleted', reason);
    return gone.length;
  }
  const destinationIds = gone.map((row) => row.destinationId!);
  // What a rollback re-creates it from: the fields the migration last wrote, as the destination holds them now.
  // …and the links and children it asked for, so it comes back whole.
  const written = await ledger.lastWrites(
    ids.migrationId,
    entity,
    gone.map((row) => row.sourceId),
  );
  const fieldsOf = (sourceId: string) => Object.keys(written.get(sourceId)?.after ?? {});
  const fields = [...new Set(gone.flatMap((row) => fieldsOf(row.sourceId)))];
  const before = new Map(
    (await destination.fetch(entity, destinationIds, fields)).map((record) => [
      destination.idOf(entity, record),
      record,
    ]),
  );
  // A delete the destination refuses by its own rule leaves the record there, loaded, with the refusal as the
  // run's warning; any other failure stops the run once what did go is recorded, and the next run tries again.
  const notDeleted =
    action === 'archive'
      ? await destination.archive!(entity, destinationIds).then(() => new Map<string, DeleteRefusal>())
      : await deleteEach(destination, entity, destinationIds);
  const refused = gone.filter((row) => notDeleted.get(row.destinationId!)?.refused);
  const deleted = gone.filter((row) => !notDeleted.has(row.destinationId!));
  await ledger.commitPage(ids.migrationId, ids.runId, entity, {
    rows: [
      ...refused.map(({ id: _id, updatedAt: _updatedAt, ...row }) => ({
        ...row,
        lastError: `deleted in the source, kept in the destination: ${notDeleted.get(row.destinationId!)!.reason}`,
        lastRunId: ids.runId,
      })),
      ...deleted.map(({ id: _id, updatedAt: _updatedAt, ...row }) => ({
        ...row,
        status: 'deleted' as const,
        lastOutcome: 'deleted' as const,
        lastError: reason,
        lastRunId: ids.runId,
      })),
    ],
    journal: deleted.map((row) => ({
      sourceId: row.sourceId,
      part: 'record',
      object: entity,
      destinationId: row.destinationId!,
      action: action === 'archive' ? ('archived' as const) : ('deleted' as const),
      before: before.has(row.destinationId!)
        ? imageOf(destination, entity, before.get(row.destinationId!)!, fieldsOf(row.sourceId))
        : null,
      after: null,
      related: written.get(row.sourceId)?.related ?? null,
      link: null,
    })),
    counters: { ...zeroCounters(), deleted: deleted.length },
  });
  const failure = [...notDeleted.values()].find((answer) => !answer.refused);
  if (failure)
    throw new SwitchyardError(
      'PLATFORM_TEMPORARY',
      `${notDeleted.size - refused.length} ${entity} deleted in the source could not be deleted in the destination (${failure.reason}); run again to try them again`,
    );
  return deleted.length;
}

/**
 * Which loaded records the source no longer holds: those its delete feed names since the delta's start, or
 * those missing from its complete id list (read to the end, or this throws and nothing is deleted).
 */
async function goneFromSource(
  prepared: PreparedMigration,
  entity: EntityName,
  deletedSince: string | undefined,
): Promise<(row: { sourceId: string }) => boolean> {
  const { source } = prepared;
  if (deletedSince && source.deletedSince) {
    const deleted = new Set(await source.deletedSince(entity, deletedSince));
    return (row) => deleted.has(row.sourceId);
  }
  const present = new Set<string>();
  for await (const page of source.read(entity, {
    cursor: null,
    pageSize: batchSizes(prepared, entity).pageSize,
  }))
    for (const record of page.records) present.add(source.idOf(entity, record));
  return (row) => !present.has(row.sourceId);
}
