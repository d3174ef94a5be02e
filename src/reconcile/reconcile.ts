import Decimal from 'decimal.js';
import {
  type CategoryCounts,
  countCategories,
  entityDefinition,
  type FoundReference,
  type EntityName,
  isLost,
  referencesOf,
  sumAggregates,
} from '../canonical/entities';
import { cleanerFor, type EntityCleaner } from '../cleaning/cleaner';
import { SwitchyardError } from '../common/errors';
import { scalarText } from '../common/text';
import { parseUtc } from '../common/time';
import type { Connector, PlatformInfo } from '../connectors/connector.port';
import type { PreparedMigration } from '../engine/migration.runner';
import type { LedgerRecordRow } from '../ledger/ledger.entities';
import type { LedgerRepository } from '../ledger/ledger.repository';
import type { LoadedMapping } from '../mapping/mapping.loader';
import { type AccountingReconciliation, reconcileBooks } from './accounting';
import { compareRecords } from './field-compare';

type Canonical = Record<string, unknown>;

export interface Difference {
  entity: string;
  sourceId: string | null;
  destinationId: string | null;
  /** null when the whole record is missing on one side. */
  field: string | null;
  source: unknown;
  destination: unknown;
}

export interface EntityReconciliation {
  source: number;
  ledger: { loaded: number; quarantined: number; failed: number; skipped: number; merged: number };
  destination: number;
  /**
   * Records the destination held before the migration's first run began (a guest account, a shipping item):
   * its own, not compared. A record Switchyard wrote, doubled or not, cannot predate the first run.
   */
  destinationOwn: number;
  /** Source: the records that should be in the destination; destination: every record it holds, each counted on its own side. */
  categories: Record<string, { source: Record<string, number>; destination: Record<string, number> }>;
  aggregates: Record<string, { source: string; destination: string; equal: boolean }>;
}

export interface Reconciliation {
  verdict: 'pass' | 'fail';
  migration: string;
  entities: Record<EntityName, EntityReconciliation>;
  differences: Difference[];
  /** Accounted for: records the ledger quarantined or failed, with the reason. Not by themselves a failure. */
  quarantined: { entity: string; sourceId: string; status: string; reason: string }[];
  /** Accounted for: records the plan's cleaning rules skipped or merged into another record. */
  cleaned: {
    entity: string;
    sourceId: string;
    status: 'skipped' | 'merged';
    destinationId: string | null;
    reason: string;
  }[];
  knownLosses: { entity: string; field: string; reason: string }[];
  /** ERP switches (a plan with a cut-off date): the trial balance, open items and VAT per code, to the cent. */
  accounting?: AccountingReconciliation;
}

/**
 * Source, ledger and destination side by side: counts, exact aggregates, references, and every field of every
 * migrated record read back through the destination's own inbound mapping.
 */
export async function reconcile(
  prepared: PreparedMigration,
  ledger: LedgerRepository,
): Promise<Reconciliation> {
  const { plan } = prepared;
  const migration = await ledger.migrationNamed(plan.name);
  if (!migration)
    throw new SwitchyardError(
      'PLAN_INVALID',
      `this ledger has no migration "${plan.name}"; run switchyard migrate first`,
    );
  const result: Reconciliation = {
    verdict: 'pass',
    migration: plan.name,
    entities: {},
    differences: [],
    quarantined: [],
    cleaned: [],
    knownLosses: [],
  };
  const destinationIds = new Map<string, Map<string, string>>();
  const starts = (await ledger.runsOf(migration.id)).flatMap((run) =>
    run.startedAt ? [Date.parse(run.startedAt)] : [],
  );
  const firstRunAt = starts.length > 0 ? Math.min(...starts) : undefined;
  for (const entity of prepared.entities) {
    const type = entityDefinition(entity).type;
    const outbound = prepared.mappings[entity].outbound;
    const losses = outbound.definition.knownLosses;
    result.knownLosses.push(...losses.map((loss) => ({ entity, ...loss })));
    const lost = losses.map((loss) => loss.field);
    const sources = await readCanonical(
      prepared.source,
      entity,
      prepared.mappings[entity].inbound,
      prepared.sourceInfo,
      plan.source.platform,
      // The source as the plan cleans it: a default the run filled in is not a difference.
      cleanerFor(plan.cleaning, entity),
    );
    const modified = new Map<string, number | null>();
    const destinations = await readCanonical(
      prepared.destination,
      entity,
      outbound,
      prepared.destinationInfo,
      plan.destination.platform,
      undefined,
      modified,
    );
    const rows = new Map((await ledger.entityRows(migration.id, entity)).map((row) => [row.sourceId, row]));
    destinationIds.set(
      type,
      new Map(
        [...rows.values()]
          .filter((row) => (row.status === 'loaded' || row.status === 'merged') && row.destinationId)
          .map((row) => [row.sourceId, row.destinationId!]),
      ),
    );
    const claimable = new Set([...rows.values()].map((row) => row.destinationId).filter(Boolean));
    let destinationOwn = 0;
    for (const [destinationId] of destinations) {
      const at = modified.get(destinationId);
      if (
        !claimable.has(destinationId) &&
        firstRunAt !== undefined &&
        at !== null &&
        at !== undefined &&
        at < firstRunAt
      ) {
        destinations.delete(destinationId);
        destinationOwn++;
      }
    }
    const summary: EntityReconciliation = {
      source: sources.size,
      ledger: { loaded: 0, quarantined: 0, failed: 0, skipped: 0, merged: 0 },
      destination: destinations.size,
      destinationOwn,
      categories: {},
      aggregates: {},
    };
    const sourceCategories: CategoryCounts = {};
    /** Source records the ledger says were loaded. */
    const migrated: Canonical[] = [];
    const claimed = new Set<string>();
    const differ = (d: Omit<Difference, 'entity'>) => result.differences.push({ entity, ...d });
    for (const [sourceId, canonical] of sources) {
      const row: LedgerRecordRow | undefined = rows.get(sourceId);
      if (row && (row.status === 'quarantined' || row.status === 'failed')) {
        summary.ledger[row.status]++;
        result.quarantined.push({ entity, sourceId, status: row.status, reason: row.lastError ?? '' });
        continue;
      }
      if (row && (row.status === 'skipped' || row.status === 'merged')) {
        summary.ledger[row.status]++;
        const { destinationId } = row;
        result.cleaned.push({
          entity,
          sourceId,
          status: row.status,
          destinationId,
          reason: row.lastError ?? '',
        });
        // A merged record lives on in its survivor; a skipped one an earlier run loaded is still there, and accounted for.
        if (row.status === 'skipped' && destinationId) {
          claimed.add(destinationId);
          countCategories(type, canonical, sourceCategories, lost);
        }
        continue;
      }
      if (!row || row.status !== 'loaded' || !row.destinationId) {
        differ({ sourceId, destinationId: null, field: null, source: 'present', destination: null });
        continue;
      }
      summary.ledger.loaded++;
      migrated.push(canonical);
      countCategories(type, canonical, sourceCategories, lost);
      const destination = destinations.get(row.destinationId);
      if (!destination) {
        differ({
          sourceId,
          destinationId: row.destinationId,
          field: null,
          source: 'present',
          destination: null,
        });
        continue;
      }
      claimed.add(row.destinationId);
      for (const d of compareRecords(canonical, destination, lost))
        differ({ sourceId, destinationId: row.destinationId, ...d });
      for (const d of referenceDifferences(type, canonical, destination, destinationIds, lost))
        differ({ sourceId, destinationId: row.destinationId, ...d });
    }
    for (const [destinationId] of destinations) {
      if (!claimed.has(destinationId))
        differ({ sourceId: null, destinationId, field: null, source: null, destination: 'present' });
    }
    // Each side counted on its own: a record missing in the destination leaves its category short.
    const destinationCategories: CategoryCounts = {};
    for (const destination of destinations.values())
      countCategories(type, destination, destinationCategories, lost);
    for (const category of new Set([...Object.keys(sourceCategories), ...Object.keys(destinationCategories)]))
      summary.categories[category] = {
        source: sourceCategories[category] ?? {},
        destination: destinationCategories[category] ?? {},
      };
    // Everything the ledger says was loaded against everything the destination holds: a record deleted or added there moves the sums.
    summary.aggregates = aggregates(type, migrated, [...destinations.values()], lost);
    result.entities[entity] = summary;
  }
  const books = await reconcileBooks(prepared);
  if (books) result.accounting = books;
  const failed =
    (books !== undefined && !books.equal) ||
    result.differences.length > 0 ||
    Object.values(result.entities).some(
      (e) =>
        Object.values(e.aggregates).some((a) => !a.equal) ||
        Object.values(e.categories).some(
          (c) => JSON.stringify(sorted(c.source)) !== JSON.stringify(sorted(c.destination)),
        ),
    );
  result.verdict = failed ? 'fail' : 'pass';
  return result;
}

async function readCanonical(
  connector: Connector,
  entity: EntityName,
  mapping: LoadedMapping,
  info: PlatformInfo,
  platform: string,
  cleaner?: EntityCleaner,
  /** Fills in each record's last modification as the platform stamps it. */
  modified?: Map<string, number | null>,
): Promise<Map<string, Canonical>> {
  const records = new Map<string, Canonical>();
  const stamp = connector.entities[entity].modifiedAtField;
  for await (const page of connector.read(entity, {
    cursor: null,
    pageSize: connector.entities[entity].maxPageSize,
  })) {
    for (const native of page.records) {
      const canonical = await mapping.inbound(native, { ...info.context, currency: info.currency, platform });
      cleaner?.applyDefaults(canonical);
      const id = connector.idOf(entity, native);
      records.set(id, canonical);
      modified?.set(id, native[stamp] ? parseUtc(scalarText(native[stamp])) : null);
    }
  }
  return records;
}

/**
 * A reference in the destination must point at the record the ledger says its source reference became; a
 * soft one whose target has no match is not compared (the destination leaves it empty or sets its own
 * default). References are compared where the registry declares them; unordered lists compare as sets.
 */
function referenceDifferences(
  type: string,
  source: Canonical,
  destination: Canonical,
  ids: Map<string, Map<string, string>>,
  lost: string[],
): Omit<Difference, 'entity' | 'sourceId' | 'destinationId'>[] {
  const slots = new Map<string, { unordered: boolean; open?: boolean; want: string[]; have: string[] }>();
  const slotOf = ({ at, declaration }: FoundReference) => {
    const field = declaration.unordered ? declaration.path.replace(/\[\]/g, '') : at;
    if (!slots.has(field))
      slots.set(field, { unordered: Boolean(declaration.unordered), want: [], have: [] });
    return slots.get(field)!;
  };
  for (const found of referencesOf(type, source)) {
    if (isLost(found.declaration.path, lost)) continue;
    const { ref, declaration } = found;
    const id = ids.get(ref.entity)?.get(ref.sourceId);
    if (id) slotOf(found).want.push(id);
    else if (declaration.strength === 'hard') slotOf(found).want.push(`(not migrated: ${ref.sourceId})`);
    // A soft one with no match loads empty or as the destination's default (Salesforce: the connecting user).
    else slotOf(found).open = true;
  }
  const wanted = new Set(slots.keys());
  for (const found of referencesOf(type, destination)) {
    if (isLost(found.declaration.path, lost)) continue;
    const field = found.declaration.unordered ? found.declaration.path.replace(/\[\]/g, '') : found.at;
    const migrated = new Set(ids.get(found.ref.entity)?.values() ?? []);
    // Where the source names none, a destination that must name one uses a record of its own (Exact: a
    // guest account for guest orders): its default, not a difference. One pointing at a migrated record is.
    if (!wanted.has(field) && !migrated.has(found.ref.sourceId)) continue;
    slotOf(found).have.push(found.ref.sourceId);
  }
  const differences: Omit<Difference, 'entity' | 'sourceId' | 'destinationId'>[] = [];
  for (const [field, { unordered, open, want, have }] of slots) {
    if (open) continue;
    const [a, b] = unordered ? [[...want].sort(), [...have].sort()] : [want, have];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    differences.push(
      unordered
        ? { field, source: a, destination: b }
        : { field, source: a[0] ?? null, destination: b[0] ?? null },
    );
  }
  return differences;
}

/** Exact sums over what the ledger says was loaded against everything the destination holds. */
function aggregates(
  type: string,
  source: Canonical[],
  destination: Canonical[],
  lost: string[],
): EntityReconciliation['aggregates'] {
  const left = sumAggregates(type, source, lost);
  const right = sumAggregates(type, destination, lost);
  const zero = new Decimal(0);
  return Object.fromEntries(
    [...new Set([...left.keys(), ...right.keys()])].map((name) => {
      const [a, b] = [left.get(name) ?? zero, right.get(name) ?? zero];
      return [name, { source: a.toFixed(), destination: b.toFixed(), equal: a.equals(b) }];
    }),
  );
}

function sorted(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
}
