import {
  type CanonicalReference,
  entityOfType,
  type EntityName,
  type FoundReference,
  referencesOf,
} from '../canonical/entities';
import type { LedgerRecordRow } from '../ledger/ledger.entities';
import type { LedgerRepository } from '../ledger/ledger.repository';

/** Every reference a record of `type` holds, where its registry entry declares them. */
export function collectReferences(type: string, record: unknown): CanonicalReference[] {
  return referencesOf(type, record).map((found) => found.ref);
}

function softWarning({ at, ref }: FoundReference, row: LedgerRecordRow | undefined): string {
  delete ref.destinationId;
  const why = row?.lastError ?? (row ? row.status : `the ${ref.entity} is not in the source`);
  return `loaded without its ${at}: ${ref.entity} ${ref.sourceId} has no match in the destination (${why})`;
}

/** A record another record references, by its plan entity and source id. */
export interface ReferencedRecord {
  entity: EntityName;
  sourceId: string;
}

/** A dry run's predictions, by canonical type and source id: loaded ones, and why the others are not. */
export interface PredictedRecords {
  expected: Map<string, Set<string>>;
  notLoaded: Map<string, Map<string, Pick<LedgerRecordRow, 'status' | 'lastError' | 'destinationId'>>>;
}

/**
 * Translates source ids in references into destination ids through the ledger, for a whole page at
 * once. Returns, per record, why a reference could not be resolved: an orphan the merchant must fix.
 */
export class ReferenceResolver {
  constructor(
    /** The canonical type of the records it resolves. */
    private readonly type: string,
    private readonly ledger: LedgerRepository,
    private readonly migrationId: string,
    /** In a dry run: what the run predicted so far, since it writes no ledger rows to look up. */
    private readonly predicted?: PredictedRecords,
  ) {}

  /**
   * Returns, per record, the references that block it (orphans: the record is quarantined) and the owners
   * that have no match in the destination (soft: the record loads without an owner, with a warning).
   */
  async resolvePage(records: { sourceId: string; canonical: unknown }[]): Promise<{
    problems: Map<string, string[]>;
    warnings: Map<string, string[]>;
    /** Per record, the loaded references its problems may come from a stale ledger row of: worth a re-check. */
    suspects: Map<string, ReferencedRecord[]>;
  }> {
    const refsByRecord = records.map((record) => ({
      sourceId: record.sourceId,
      refs: referencesOf(this.type, record.canonical),
    }));
    const wanted = new Map<string, Set<string>>();
    for (const { refs } of refsByRecord) {
      for (const { ref } of refs) {
        if (!wanted.has(ref.entity)) wanted.set(ref.entity, new Set());
        wanted.get(ref.entity)!.add(ref.sourceId);
      }
    }
    const rows = new Map<string, Map<string, LedgerRecordRow>>();
    for (const [type, ids] of wanted) {
      rows.set(type, await this.ledger.rowsBySourceId(this.migrationId, entityOfType(type), [...ids]));
    }
    const problems = new Map<string, string[]>();
    const warnings = new Map<string, string[]>();
    const suspects = new Map<string, ReferencedRecord[]>();
    for (const { sourceId, refs } of refsByRecord) {
      for (const found of refs) {
        const { ref } = found;
        const row = rows.get(ref.entity)?.get(ref.sourceId);
        const reason = this.resolve(ref, row);
        if (reason === null) continue;
        if (row?.status === 'loaded' && row.destinationId)
          suspects.set(sourceId, [
            ...(suspects.get(sourceId) ?? []),
            { entity: entityOfType(ref.entity), sourceId: ref.sourceId },
          ]);
        // A soft reference (an owner) with no match leaves the field empty, said out loud, not a lost record.
        const [list, message] =
          found.declaration.strength === 'soft' ? [warnings, softWarning(found, row)] : [problems, reason];
        list.set(sourceId, [...(list.get(sourceId) ?? []), message]);
      }
    }
    return { problems, warnings, suspects };
  }

  private resolve(ref: CanonicalReference, found: LedgerRecordRow | undefined): string | null {
    const name = ref.entity;
    const usable = (r?: Pick<LedgerRecordRow, 'status'>) => r?.status === 'loaded' || r?.status === 'merged';
    if (!usable(found) && this.predicted?.expected.get(ref.entity)?.has(ref.sourceId)) {
      // Not in the destination yet, only predicted: a stand-in id lets the outbound mapping run.
      ref.destinationId = '0';
      if (ref.sku) ref.destinationVariantId = '0';
      return null;
    }
    const row = found ?? this.predicted?.notLoaded.get(ref.entity)?.get(ref.sourceId);
    if (!row) {
      return `${name} ${ref.sourceId} does not exist in the source; link the record to an existing ${name} or remove the link, then re-run`;
    }
    if (!usable(row) || !row.destinationId) {
      const why = row.lastError ? `: ${row.lastError}` : '';
      return `${name} ${ref.sourceId} was not migrated (${row.status}${why}); fix that ${name} first, then re-run`;
    }
    // A merged record's row carries its survivor's destination id and refs.
    ref.destinationId = row.destinationId;
    // A reference to one variant of the record, by SKU: the destination id of that part.
    if (ref.sku) {
      const variants = (row as LedgerRecordRow).refs?.variants ?? {};
      const variantId = variants[ref.sku];
      if (!variantId) {
        return `${name} ${ref.sourceId} has no variant with SKU "${ref.sku}" in the destination; add the SKU to the ${name} or correct the reference`;
      }
      ref.destinationVariantId = variantId;
    }
    return null;
  }
}
