import type { EntityName } from '../canonical/entities';
import type { Connector } from '../connectors/connector.port';
import type { LedgerRepository } from '../ledger/ledger.repository';
import type { ReferencedRecord, ReferenceResolver } from './reference.resolver';

/**
 * When a record cannot load because of what the ledger says about a record it references (a variant the
 * product's row does not list, an id the destination refuses), the ledger row may be what is wrong: written
 * from an answer that was lost, or by a run before the destination changed. The referenced records are read
 * back from the destination and their rows repaired (their parts' ids, or marked for reloading when they are
 * gone), so the page can try once more instead of quarantining on every run. Each record is checked at
 * most once per run.
 */
export class ReferenceHealer {
  private readonly checked = new Set<string>();

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly migrationId: string,
    private readonly destination: Connector,
  ) {}

  /** Resolves a page's references; those that fail on a loaded record are re-checked and resolved once more. */
  async resolve(
    resolver: ReferenceResolver,
    records: { sourceId: string; canonical: unknown }[],
  ): Promise<Awaited<ReturnType<ReferenceResolver['resolvePage']>>> {
    const first = await resolver.resolvePage(records);
    if (!(await this.recheck([...first.suspects.values()].flat()))) return first;
    const again = await resolver.resolvePage(records.filter((r) => first.suspects.has(r.sourceId)));
    for (const sourceId of first.suspects.keys())
      for (const kind of ['problems', 'warnings'] as const) {
        const now = again[kind].get(sourceId);
        if (now) first[kind].set(sourceId, now);
        else first[kind].delete(sourceId);
      }
    return first;
  }

  /** Re-reads these records in the destination; true when a ledger row changed (worth resolving again). */
  async recheck(records: ReferencedRecord[]): Promise<boolean> {
    if (!this.destination.refsOf) return false;
    const byEntity = new Map<EntityName, Set<string>>();
    for (const { entity, sourceId } of records) {
      const key = `${entity}:${sourceId}`;
      if (this.checked.has(key)) continue;
      this.checked.add(key);
      if (!byEntity.has(entity)) byEntity.set(entity, new Set());
      byEntity.get(entity)!.add(sourceId);
    }
    let changed = false;
    for (const [entity, sourceIds] of byEntity) {
      const rows = [
        ...(await this.ledger.rowsBySourceId(this.migrationId, entity, [...sourceIds])).values(),
      ].filter((row) => row.status === 'loaded' && row.destinationId);
      if (rows.length === 0) continue;
      const found = new Map(
        (
          await this.destination.fetch(
            entity,
            rows.map((row) => row.destinationId!),
          )
        ).map((record) => [this.destination.idOf(entity, record), record]),
      );
      for (const row of rows) {
        const record = found.get(row.destinationId!);
        if (!record) {
          await this.ledger.repairLoaded(this.migrationId, entity, row.sourceId, {
            gone: `${this.destination.platform} ${entity} ${row.destinationId} was deleted in the destination after it loaded; the next run of ${entity} loads it again`,
          });
          changed = true;
          continue;
        }
        const refs = this.destination.refsOf(entity, record) ?? null;
        if (JSON.stringify(refs) !== JSON.stringify(row.refs)) {
          await this.ledger.repairLoaded(this.migrationId, entity, row.sourceId, { refs });
          changed = true;
        }
      }
    }
    return changed;
  }
}
