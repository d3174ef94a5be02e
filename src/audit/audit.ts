import {
  type CategoryCounts,
  countCategories,
  dependenciesOf,
  entityDefinition,
  entityNames,
  type EntityName,
  naturalKeysOf,
  referencesOf,
} from '../canonical/entities';
import { cleanerFor, type EntityCleaner } from '../cleaning/cleaner';
import { errorMessage, SwitchyardError } from '../common/errors';
import type { Connector, PlatformInfo } from '../connectors/connector.port';
import { platformModule } from '../connectors/connector.registry';
import { connectorOptions, type PrepareOptions } from '../engine/migration.runner';
import { loadMapping, type LoadedMapping } from '../mapping/mapping.loader';
import type { MigrationPlan } from '../plan/migration-plan';
import { textProblems } from './text-checks';

export type FindingKind = 'duplicate' | 'orphan' | 'invalid' | 'encoding' | 'unmappable';

export interface Finding {
  entity: string;
  sourceId: string;
  kind: FindingKind;
  field?: string;
  message: string;
  /** How the plan's cleaning rules deal with it; a finding without this still needs fixing at the source. */
  cleaning?: string;
}

/** What the plan's cleaning rules would do to this entity's records. */
export interface CleaningEffect {
  /** Records that would get a default, by field. */
  defaulted: Record<string, number>;
  skipped: number;
  merged: number;
}

/** One line a person reads: "3 get a default addresses[].country, 2 skipped, 1 merged into a duplicate". */
export function cleaningLine(effect: CleaningEffect): string {
  const defaults = Object.entries(effect.defaulted).map(([field, n]) => `${n} get a default ${field}`);
  return [...defaults, `${effect.skipped} skipped`, `${effect.merged} merged into a duplicate`].join(', ');
}

export interface EntityAudit {
  count: number;
  /** Counts by the business categories the entity's registry entry declares. */
  categories: CategoryCounts;
  /** Present when the plan has cleaning rules for the entity. */
  cleaning?: CleaningEffect;
  /**
   * Source fields no mapping in use reads (`properties.loyalty_tier`, `Region__c`, `meta_data`): data that
   * would stay behind unless a plan's own mapping picks it up.
   */
  unmapped: string[];
}

export interface AuditReport {
  migration: string;
  source: { platform: string; url: string };
  entities: Record<EntityName, EntityAudit>;
  findings: Finding[];
}

/** The source side of a plan, reachable, with its inbound mappings: all an audit needs. Writes nothing. */
export async function prepareAudit(
  plan: MigrationPlan,
  prepare: PrepareOptions = {},
): Promise<{ source: Connector; info: PlatformInfo; mappings: Map<EntityName, LoadedMapping> }> {
  const platform = platformModule(plan.source.platform);
  const entities = audited(plan, platform.createConnector(plan.source, { concurrency: 1 }));
  const mappings = new Map<EntityName, LoadedMapping>();
  for (const entity of entities) {
    const chosen = plan.mappings[`${plan.source.platform}.${entityDefinition(entity).type}`];
    mappings.set(
      entity,
      loadMapping(
        plan.source.platform,
        entityDefinition(entity).type,
        typeof chosen === 'number' ? { version: chosen } : (chosen ?? {}),
        plan.baseDir,
      ),
    );
  }
  // Connected and paced as a migration's source is, knowing what the mappings read.
  const source = platform.createConnector(
    plan.source,
    connectorOptions(
      plan,
      plan.source,
      prepare,
      Object.fromEntries([...mappings].map(([entity, mapping]) => [entity, mapping.reads])),
    ),
  );
  try {
    return { source, info: await source.check(), mappings };
  } catch (error) {
    if (error instanceof SwitchyardError)
      throw new SwitchyardError(
        error.code,
        `source ${plan.source.platform} at ${plan.source.url}: ${error.message}`,
      );
    throw error;
  }
}

/** The plan's entities plus what they reference, so an order's customer can be checked even when customers do not move. */
function audited(plan: MigrationPlan, source: Connector): EntityName[] {
  const wanted = new Set<EntityName>(plan.entities);
  for (const entity of plan.entities)
    for (const dependency of dependenciesOf(entity)) if (source.entities[dependency]) wanted.add(dependency);
  return entityNames().filter((entity) => wanted.has(entity));
}

/**
 * Reads the source once, entity by entity, and reports counts by category and one finding per problem
 * record: duplicates by natural key, orphans, values the canonical schema refuses, garbled text.
 */
export async function runAudit(
  plan: MigrationPlan,
  prepared: Awaited<ReturnType<typeof prepareAudit>>,
): Promise<AuditReport> {
  const report: AuditReport = {
    migration: plan.name,
    source: { platform: plan.source.platform, url: plan.source.url },
    entities: {},
    findings: [],
  };
  const ids = new Map<string, Set<string>>();
  const skippedIds = new Map<string, Set<string>>();
  for (const [entity, mapping] of prepared.mappings) {
    const type = entityDefinition(entity).type;
    const seen = new Set<string>();
    const keys = new Map<string, string[]>();
    const pending: { sourceId: string; canonical: Record<string, unknown> }[] = [];
    const summary: EntityAudit = { count: 0, categories: {}, unmapped: [] };
    /** Top-level fields the records hold: the unmapped candidates where the platform lists none. */
    const seenFields = new Set<string>();
    const cleaner = cleanerFor(plan.cleaning, entity);
    if (cleaner.fingerprint) summary.cleaning = { defaulted: {}, skipped: 0, merged: 0 };
    /** Records that would load once cleaned: the ones a merge can keep. */
    const loadable = new Set<string>();
    for await (const page of prepared.source.read(entity, {
      cursor: null,
      pageSize: prepared.source.entities[entity].maxPageSize,
    })) {
      for (const record of page.records) {
        const sourceId = prepared.source.idOf(entity, record);
        summary.count++;
        for (const field of Object.keys(record)) seenFields.add(field);
        seen.add(sourceId);
        let mapped: Record<string, unknown>;
        try {
          mapped = await mapping.inbound(record, {
            ...prepared.info.context,
            currency: prepared.info.currency,
            platform: plan.source.platform,
          });
        } catch (error) {
          report.findings.push({
            entity,
            sourceId,
            kind: 'unmappable',
            message: `mapping ${mapping.key} cannot read it: ${errorMessage(error)}`,
          });
          continue;
        }
        const first = report.findings.length;
        report.findings.push(...invalidFindings(entity, sourceId, mapped));
        for (const problem of textProblems(mapped)) report.findings.push({ entity, sourceId, ...problem });
        countCategories(type, mapped, summary.categories);
        const cleaned = applyCleaning(
          entity,
          cleaner,
          mapped,
          summary.cleaning,
          report.findings.slice(first),
        );
        if (cleaned === 'skipped') {
          if (!skippedIds.has(type)) skippedIds.set(type, new Set());
          skippedIds.get(type)!.add(sourceId);
        } else if (entityDefinition(entity).schema.safeParse(cleaned).success) loadable.add(sourceId);
        const mergeKey = cleaned === 'skipped' ? null : cleaner.mergeKey(cleaned);
        for (const key of naturalKeysOf(type, mapped))
          if (key.split(':')[0] !== cleaner.mergesOn) keys.set(key, [...(keys.get(key) ?? []), sourceId]);
        if (mergeKey !== null) {
          const key = `${cleaner.mergesOn}:${mergeKey}`;
          keys.set(key, [...(keys.get(key) ?? []), sourceId]);
        }
        pending.push({ sourceId, canonical: mapped });
      }
    }
    for (const [key, holders] of keys) {
      if (holders.length < 2) continue;
      const field = key.slice(0, key.indexOf(':'));
      // The engine's survivor: the first record read that would load.
      const survivor = field === cleaner.mergesOn ? holders.find((id) => loadable.has(id)) : undefined;
      for (const sourceId of holders) {
        const others = holders.filter((id) => id !== sourceId);
        const finding: Finding = {
          entity,
          sourceId,
          kind: 'duplicate',
          field,
          message: `${key.replace(':', ' ')} is shared with ${others.join(', ')}; the destination keeps one record per ${field}`,
        };
        if (survivor === sourceId)
          finding.cleaning = `kept: ${others.join(', ')} merge into it (merge on ${field})`;
        else if (survivor && loadable.has(sourceId)) {
          finding.cleaning = `merged into ${survivor} (merge on ${field})`;
          summary.cleaning!.merged++;
        }
        report.findings.push(finding);
      }
    }
    for (const { sourceId, canonical } of pending) {
      for (const { ref, declaration } of referencesOf(type, canonical)) {
        // A soft reference (an owner) may point nowhere: the record loads without it.
        if (declaration.strength === 'soft') continue;
        const known = ids.get(ref.entity);
        if (skippedIds.get(ref.entity)?.has(ref.sourceId)) {
          report.findings.push({
            entity,
            sourceId,
            kind: 'orphan',
            field: ref.entity,
            message: `${ref.entity} ${ref.sourceId} is left behind by the plan's cleaning rules, so this record would be quarantined; skip it too or keep the ${ref.entity}`,
          });
        } else if (known && !known.has(ref.sourceId)) {
          report.findings.push({
            entity,
            sourceId,
            kind: 'orphan',
            field: ref.entity,
            message: `${ref.entity} ${ref.sourceId} does not exist in the source; link it to an existing ${ref.entity} or remove the link`,
          });
        }
      }
    }
    const skippedHere = skippedIds.get(type);
    for (const finding of report.findings)
      if (finding.entity === entity && !finding.cleaning && skippedHere?.has(finding.sourceId))
        finding.cleaning = "the record is skipped by the plan's cleaning rules";
    ids.set(type, seen);
    summary.unmapped = unmappedFields((await prepared.source.fieldsOf?.(entity)) ?? [...seenFields], mapping);
    if (plan.entities.includes(entity)) report.entities[entity] = summary;
  }
  report.findings = report.findings.filter((finding) => plan.entities.includes(finding.entity));
  return report;
}

/** The fields no path of the mapping reads (itself or anything under it) and it does not declare consumed. */
function unmappedFields(fields: string[], mapping: LoadedMapping): string[] {
  const consumed = new Set(mapping.definition.inbound.consumes);
  return fields
    .filter(
      (field) =>
        !consumed.has(field) && !mapping.reads.some((read) => read === field || read.startsWith(`${field}.`)),
    )
    .sort();
}

function invalidFindings(entity: string, sourceId: string, mapped: Record<string, unknown>): Finding[] {
  const parsed = entityDefinition(entity).schema.safeParse(mapped);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    const field = path.join('.');
    const value = path.reduce<unknown>(
      (at, key) => (at as Record<string | number, unknown> | undefined)?.[key],
      mapped,
    );
    const shown = value === undefined || typeof value === 'object' ? '' : ` (${JSON.stringify(value)})`;
    return {
      entity,
      sourceId,
      kind: 'invalid' as const,
      field,
      message: `${field}${shown} ${issue.message}; it would be quarantined`,
    };
  });
}

/**
 * The plan's defaults and skips applied to a copy of one record, as the engine would; notes on the
 * record's findings what the cleaning resolves. Returns the cleaned record, or 'skipped'.
 */
function applyCleaning(
  entity: EntityName,
  cleaner: EntityCleaner,
  mapped: Record<string, unknown>,
  effect: CleaningEffect | undefined,
  findings: Finding[],
): Record<string, unknown> | 'skipped' {
  if (!effect) return mapped;
  const cleaned = structuredClone(mapped);
  const filled = cleaner.applyDefaults(cleaned);
  for (const path of filled) effect.defaulted[path] = (effect.defaulted[path] ?? 0) + 1;
  const skip = cleaner.skipReason(cleaned);
  if (skip) {
    effect.skipped++;
    for (const finding of findings) finding.cleaning = skip;
    return 'skipped';
  }
  if (filled.length > 0) {
    const still = new Set(invalidFindings(entity, '', cleaned).map((f) => f.field));
    for (const finding of findings)
      if (finding.kind === 'invalid' && !still.has(finding.field))
        finding.cleaning = `filled by the plan's default for ${finding.field!.replace(/\.\d+/g, '[]')}`;
  }
  return cleaned;
}
