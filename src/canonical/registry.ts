import Decimal from 'decimal.js';
import type { z } from 'zod/v4';
import { placesAt } from './field-path';

/**
 * The canonical entity registry. Each domain file (commerce, CRM, and accounting next) declares its
 * entities here once; audit, reconcile, the reference resolver, cleaning, dependency order and the mapping
 * file schema read these declarations and never name an entity themselves. Paths are canonical field paths:
 * dots between fields, `[]` for every element of a list (`lines[].product`).
 */
export interface ReferenceDeclaration {
  /** Where the reference sits in the record. */
  path: string;
  /** The canonical type it points at. */
  to: string;
  /**
   * hard: the record cannot load without it (an unresolved one quarantines the record); soft: the record
   * loads without it, and the run lists the record (an owner with no match in the destination).
   */
  strength: 'hard' | 'soft';
  /** A list whose order means nothing (a deal's contacts): compared as a set. */
  unordered?: boolean;
}

export interface NaturalKeyDeclaration {
  /** The name findings and merge rules use (`email`, `sku`). */
  name: string;
  path: string;
  /** Compared trimmed and in lower case, as the platforms compare emails. */
  caseless?: boolean;
}

export interface CategoryDeclaration {
  /** What reports call it (`country`, `status`). */
  name: string;
  /** The field it is read from: a category on a field the destination cannot hold is not compared. */
  path: string;
  /** Which of several values counts, for a list path (the default address's country); default: the first. */
  pick?: (record: Record<string, unknown>) => unknown;
}

export interface AggregateDeclaration {
  /** What reports call it; money sums get the currency appended (`total EUR`). */
  name: string;
  /** Numbers, decimal strings or money (`{ amount, currency }`): summed exactly, money per currency. */
  path: string;
}

export interface ChildDeclaration {
  /** A collection written as records of their own in the destination (order lines, variants). */
  path: string;
  /** What one element is called in the journal (`line`, `variant`). */
  name: string;
}

export interface EntityDefinition {
  /** The plan's name for it (`customers`). */
  name: string;
  /** The canonical type (`customer`): what references and mappings name. */
  type: string;
  /** A zod 4 schema (`zod/v4`: parsing a record takes a third of zod 3's time, and every record is parsed). */
  schema: z.ZodType<Record<string, unknown>>;
  references: ReferenceDeclaration[];
  naturalKeys: NaturalKeyDeclaration[];
  categories: CategoryDeclaration[];
  aggregates: AggregateDeclaration[];
  children: ChildDeclaration[];
  /** Entities loaded first although no reference says so. */
  after?: string[];
  /** The books as they stand at the plan's cut-off date (opening balances, open items): the plan must give one. */
  atCutoff?: boolean;
}

type Declared = Pick<EntityDefinition, 'name' | 'type' | 'schema'> & Partial<EntityDefinition>;

const byName = new Map<string, EntityDefinition>();
const byType = new Map<string, EntityDefinition>();

/** Adds an entity to the registry; a name or type declared twice is a programming error, said at start-up. */
export function defineEntity(declared: Declared): EntityDefinition {
  const definition: EntityDefinition = {
    references: [],
    naturalKeys: [],
    categories: [],
    aggregates: [],
    children: [],
    ...declared,
  };
  if (byName.has(definition.name) || byType.has(definition.type))
    throw new Error(`canonical entity ${definition.name} (${definition.type}) is declared twice`);
  byName.set(definition.name, definition);
  byType.set(definition.type, definition);
  return definition;
}

/** Removes an entity (tests that declare one of their own clean up after themselves). */
export function forgetEntity(name: string): void {
  const definition = byName.get(name);
  if (!definition) return;
  byName.delete(name);
  byType.delete(definition.type);
}

export function entityNames(): string[] {
  return [...byName.keys()];
}

export function canonicalTypes(): string[] {
  return [...byType.keys()];
}

export function isEntityName(name: string): boolean {
  return byName.has(name);
}

export function isCanonicalType(type: string): boolean {
  return byType.has(type);
}

export function entityDefinition(name: string): EntityDefinition {
  const found = byName.get(name);
  if (!found) throw new Error(`unknown canonical entity ${name}`);
  return found;
}

export function definitionOfType(type: string): EntityDefinition {
  const found = byType.get(type);
  if (!found) throw new Error(`unknown canonical type ${type}`);
  return found;
}

export function entityOfType(type: string): string {
  return definitionOfType(type).name;
}

/** The entities an entity's records point at (or is declared to load after), by plan name. */
export function dependenciesOf(name: string): string[] {
  const definition = entityDefinition(name);
  const names = definition.references.map((ref) => entityOfType(ref.to));
  return [...new Set([...names, ...(definition.after ?? [])])];
}

/** Orders the requested entities so that each comes after the entities it references. */
export function dependencyOrder(requested: string[]): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    for (const dependency of dependenciesOf(name)) if (requested.includes(dependency)) visit(dependency);
    ordered.push(name);
  };
  for (const name of entityNames()) if (requested.includes(name)) visit(name);
  return ordered;
}

/** A reference found in a record, with where it sits and what the registry says about it. */
export interface FoundReference {
  /** Its location (`lines.2.product`). */
  at: string;
  declaration: ReferenceDeclaration;
  ref: CanonicalReference;
}

/** The shape every reference has (see the reference schema in common.ts). */
export interface CanonicalReference {
  entity: string;
  sourceId: string;
  destinationId?: string;
  sku?: string | null;
  destinationVariantId?: string;
}

/** Every reference a record of `type` holds, at the places its declaration names. */
export function referencesOf(type: string, record: unknown): FoundReference[] {
  return definitionOfType(type).references.flatMap((declaration) =>
    placesAt(record, declaration.path)
      .filter((place) => isReference(place.value))
      .map((place) => ({ at: place.at, declaration, ref: place.value as CanonicalReference })),
  );
}

function isReference(value: unknown): boolean {
  const candidate = value as Partial<CanonicalReference> | null;
  return typeof candidate?.entity === 'string' && typeof candidate.sourceId === 'string';
}

/** A record's natural keys as `name:value` (values trimmed, caseless ones lower-cased); empty ones left out. */
export function naturalKeysOf(type: string, record: unknown): string[] {
  return definitionOfType(type).naturalKeys.flatMap((key) =>
    placesAt(record, key.path)
      .map((place) => (typeof place.value === 'string' ? place.value.trim() : ''))
      .filter((value) => value !== '')
      .map((value) => `${key.name}:${key.caseless ? value.toLowerCase() : value}`),
  );
}

/** Business category counts: `{ country: { NL: 3, "(none)": 1 } }`. */
export type CategoryCounts = Record<string, Record<string, number>>;

/** Adds one record to its categories; `lost` holds the fields the destination cannot hold (not counted). */
export function countCategories(
  type: string,
  record: Record<string, unknown>,
  into: CategoryCounts,
  lost: string[] = [],
): void {
  for (const category of definitionOfType(type).categories) {
    if (isLost(category.path, lost)) continue;
    const value = category.pick ? category.pick(record) : placesAt(record, category.path)[0]?.value;
    const key = typeof value === 'string' && value !== '' ? value : '(none)';
    into[category.name] ??= {};
    into[category.name][key] = (into[category.name][key] ?? 0) + 1;
  }
}

/** Exact sums over a set of records: numbers as decimals, money per currency (`total EUR`). */
export function sumAggregates(
  type: string,
  records: Record<string, unknown>[],
  lost: string[] = [],
): Map<string, Decimal> {
  const sums = new Map<string, Decimal>();
  const add = (name: string, value: Decimal.Value) =>
    sums.set(name, (sums.get(name) ?? new Decimal(0)).plus(value));
  for (const aggregate of definitionOfType(type).aggregates) {
    if (isLost(aggregate.path, lost)) continue;
    for (const record of records)
      for (const { value } of placesAt(record, aggregate.path)) {
        if (typeof value === 'number' || (typeof value === 'string' && DECIMAL.test(value)))
          add(aggregate.name, value);
        else if (isMoney(value)) add(`${aggregate.name} ${value.currency}`, value.amount);
      }
  }
  return sums;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function isMoney(value: unknown): value is { amount: string; currency: string } {
  const money = value as { amount?: unknown; currency?: unknown } | null;
  return (
    typeof money?.amount === 'string' && DECIMAL.test(money.amount) && typeof money.currency === 'string'
  );
}

/** Whether a field path falls under one of the known losses (a loss of `variants` covers `variants[].sku`). */
export function isLost(path: string, lost: string[]): boolean {
  const plain = path.replace(/\[\]/g, '');
  return lost.some((loss) => plain === loss || plain.startsWith(`${loss}.`));
}
