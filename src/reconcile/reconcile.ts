import Decimal from 'decimal.js';
import { count, type EntityAudit } from '../audit/audit';
import type { Order, Product } from '../canonical/canonical.schema';
import { ENTITIES, type EntityName } from '../canonical/entities';
import { cleanerFor, type EntityCleaner } from '../cleaning/cleaner';
import { SwitchyardError } from '../common/errors';
import type { Connector, PlatformInfo } from '../connectors/connector.port';
import { collectReferences } from '../engine/reference.resolver';
import type { PreparedMigration } from '../engine/migration.runner';
import type { LedgerRecordRow } from '../ledger/ledger.entities';
import type { LedgerRepository } from '../ledger/ledger.repository';
import type { LoadedMapping } from '../mapping/mapping.loader';
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
  categories: Record<string, { source: Record<string, number>; destination: Record<string, number> }>;
  aggregates: Record<string, { source: string; destination: string; equal: boolean }>;
}

export interface Reconciliation {
  verdict: 'pass' | 'fail';
  migration: string;
  entities: Partial<Record<EntityName, EntityReconciliation>>;
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
}

/** Category → the canonical field it is read from; a category on a field the destination cannot hold is not compared. */
const CATEGORY_FIELDS: Record<string, string> = {
  country: 'addresses',
  status: 'status',
  type: 'productType',
  currency: 'currency',
};

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
  for (const entity of prepared.entities) {
    const type = ENTITIES[entity].type;
    const outbound = prepared.mappings[entity].outbound;
    const losses = outbound.definition.knownLosses;
    result.knownLosses.push(...losses.map((loss) => ({ entity, ...loss })));
    const skipped = losses.map((loss) => loss.field);
    const sources = await readCanonical(
      prepared.source,
      entity,
      prepared.mappings[entity].inbound,
      prepared.sourceInfo,
      plan.source.platform,
      // The source as the plan cleans it: a default the run filled in is not a difference.
      cleanerFor(plan.cleaning, entity),
    );
    const destinations = await readCanonical(
      prepared.destination,
      entity,
      outbound,
      prepared.destinationInfo,
      plan.destination.platform,
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
    const summary: EntityReconciliation = {
      source: sources.size,
      ledger: { loaded: 0, quarantined: 0, failed: 0, skipped: 0, merged: 0 },
      destination: destinations.size,
      categories: {},
      aggregates: {},
    };
    const sourceCategories: EntityAudit = { count: 0, categories: {} };
    const destinationCategories: EntityAudit = { count: 0, categories: {} };
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
        if (row.status === 'skipped' && destinationId) claimed.add(destinationId);
        continue;
      }
      if (!row || row.status !== 'loaded' || !row.destinationId) {
        differ({ sourceId, destinationId: null, field: null, source: 'present', destination: null });
        continue;
      }
      summary.ledger.loaded++;
      migrated.push(canonical);
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
      count(sourceCategories, type, canonical);
      count(destinationCategories, type, destination);
      for (const d of compareRecords(canonical, destination, skipped))
        differ({ sourceId, destinationId: row.destinationId, ...d });
      for (const d of referenceDifferences(canonical, destination, destinationIds))
        differ({ sourceId, destinationId: row.destinationId, ...d });
    }
    for (const [destinationId] of destinations) {
      if (!claimed.has(destinationId))
        differ({ sourceId: null, destinationId, field: null, source: null, destination: 'present' });
    }
    for (const [category, field] of Object.entries(CATEGORY_FIELDS)) {
      if (skipped.includes(field) || !sourceCategories.categories[category]) continue;
      summary.categories[category] = {
        source: sourceCategories.categories[category],
        destination: destinationCategories.categories[category] ?? {},
      };
    }
    // Everything the ledger says was loaded against everything the destination holds: a record deleted or added there moves the sums.
    summary.aggregates = aggregates(type, migrated, [...destinations.values()], skipped);
    result.entities[entity] = summary;
  }
  const failed =
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
): Promise<Map<string, Canonical>> {
  const records = new Map<string, Canonical>();
  for await (const page of connector.read(entity, {
    cursor: null,
    pageSize: connector.entities[entity]!.maxPageSize,
  })) {
    for (const native of page.records) {
      const canonical = await mapping.inbound(native, { ...info.context, currency: info.currency, platform });
      cleaner?.applyDefaults(canonical);
      records.set(connector.idOf(entity, native), canonical);
    }
  }
  return records;
}

/** A reference in the destination must point at the record the ledger says its source reference became. */
function referenceDifferences(
  source: Canonical,
  destination: Canonical,
  ids: Map<string, Map<string, string>>,
): Omit<Difference, 'entity' | 'sourceId' | 'destinationId'>[] {
  const expected = collectReferences(source).map(
    (ref) => ids.get(ref.entity)?.get(ref.sourceId) ?? `(not migrated: ${ref.sourceId})`,
  );
  const actual = collectReferences(destination).map((ref) => ref.sourceId);
  const paths = referencePaths(source);
  return expected.flatMap((id, index) =>
    id === actual[index] ? [] : [{ field: paths[index], source: id, destination: actual[index] ?? null }],
  );
}

function referencePaths(record: Canonical): string[] {
  const order = record as Partial<Order>;
  return [
    ...(order.customer ? ['customer'] : []),
    ...(order.lines ?? []).flatMap((line, index) => (line.product ? [`lines.${index}.product`] : [])),
  ];
}

/** Sums compared exactly with decimals: order totals and tax per currency, line quantities, stock on hand. */
function aggregates(
  type: string,
  source: Canonical[],
  destination: Canonical[],
  skipped: string[],
): EntityReconciliation['aggregates'] {
  const sums: Record<string, (records: Canonical[]) => Decimal> = {};
  if (type === 'order') {
    const currencies = new Set(source.map((o) => String(o.currency)));
    for (const currency of currencies) {
      const inCurrency = (records: Canonical[]) =>
        records.filter((o) => o.currency === currency) as unknown as Order[];
      sums[`total ${currency}`] = (records) =>
        inCurrency(records).reduce((acc, o) => acc.plus(o.total?.amount ?? 0), new Decimal(0));
      sums[`tax ${currency}`] = (records) =>
        inCurrency(records).reduce((acc, o) => acc.plus(o.totalTax?.amount ?? 0), new Decimal(0));
    }
    sums['line quantities'] = (records) =>
      (records as unknown as Order[]).reduce(
        (acc, o) => acc.plus((o.lines ?? []).reduce((n, l) => n + l.quantity, 0)),
        new Decimal(0),
      );
  }
  if (type === 'product' && !skipped.includes('variants.inventoryQuantity')) {
    sums['stock on hand'] = (records) =>
      (records as unknown as Product[]).reduce(
        (acc, p) => acc.plus((p.variants ?? []).reduce((n, v) => n + (v.inventoryQuantity ?? 0), 0)),
        new Decimal(0),
      );
  }
  return Object.fromEntries(
    Object.entries(sums).map(([name, sum]) => {
      const [a, b] = [sum(source), sum(destination)];
      return [name, { source: a.toFixed(), destination: b.toFixed(), equal: a.equals(b) }];
    }),
  );
}

function sorted(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
}
