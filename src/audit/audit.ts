import { ENTITIES, type EntityName } from '../canonical/entities';
import type { Customer, Order, Product } from '../canonical/canonical.schema';
import { collectReferences } from '../engine/reference.resolver';
import { errorMessage, SwitchyardError } from '../common/errors';
import type { Connector, PlatformInfo } from '../connectors/connector.port';
import { platformModule } from '../connectors/connector.registry';
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
}

export interface EntityAudit {
  count: number;
  /** Counts by business category: customers by country, products by status and type, orders by status and currency. */
  categories: Record<string, Record<string, number>>;
}

export interface AuditReport {
  migration: string;
  source: { platform: string; url: string };
  entities: Partial<Record<EntityName, EntityAudit>>;
  findings: Finding[];
}

/** The source side of a plan, reachable, with its inbound mappings: all an audit needs. Writes nothing. */
export async function prepareAudit(
  plan: MigrationPlan,
): Promise<{ source: Connector; info: PlatformInfo; mappings: Map<EntityName, LoadedMapping> }> {
  const source = platformModule(plan.source.platform).createConnector(plan.source, {
    concurrency: plan.options.concurrency,
  });
  const mappings = new Map<EntityName, LoadedMapping>();
  for (const entity of audited(plan, source)) {
    const chosen = plan.mappings[`${plan.source.platform}.${ENTITIES[entity].type}`];
    mappings.set(
      entity,
      loadMapping(
        plan.source.platform,
        ENTITIES[entity].type,
        typeof chosen === 'number' ? { version: chosen } : (chosen ?? {}),
        plan.baseDir,
      ),
    );
  }
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
    for (const dependency of ENTITIES[entity].dependsOn)
      if (source.entities[dependency]) wanted.add(dependency);
  return (Object.keys(ENTITIES) as EntityName[]).filter((entity) => wanted.has(entity));
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
  for (const [entity, mapping] of prepared.mappings) {
    const type = ENTITIES[entity].type;
    const seen = new Set<string>();
    const keys = new Map<string, string[]>();
    const pending: { sourceId: string; canonical: Record<string, unknown> }[] = [];
    const summary: EntityAudit = { count: 0, categories: {} };
    for await (const page of prepared.source.read(entity, {
      cursor: null,
      pageSize: prepared.source.entities[entity]!.maxPageSize,
    })) {
      for (const record of page.records) {
        const sourceId = prepared.source.idOf(entity, record);
        summary.count++;
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
        const parsed = ENTITIES[entity].schema.safeParse(mapped);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const field = issue.path.join('.');
            const value = issue.path.reduce<unknown>(
              (at, key) => (at as Record<string | number, unknown> | undefined)?.[key],
              mapped,
            );
            const shown =
              value === undefined || typeof value === 'object' ? '' : ` (${JSON.stringify(value)})`;
            report.findings.push({
              entity,
              sourceId,
              kind: 'invalid',
              field,
              message: `${field}${shown} ${issue.message}; it would be quarantined`,
            });
          }
        }
        for (const problem of textProblems(mapped)) report.findings.push({ entity, sourceId, ...problem });
        for (const key of naturalKeys(type, mapped)) keys.set(key, [...(keys.get(key) ?? []), sourceId]);
        count(summary, type, mapped);
        pending.push({ sourceId, canonical: mapped });
      }
    }
    for (const [key, holders] of keys) {
      if (holders.length < 2) continue;
      for (const sourceId of holders) {
        const others = holders.filter((id) => id !== sourceId);
        report.findings.push({
          entity,
          sourceId,
          kind: 'duplicate',
          field: key.split(':')[0],
          message: `${key.replace(':', ' ')} is shared with ${others.join(', ')}; the destination keeps one record per ${key.split(':')[0]}`,
        });
      }
    }
    for (const { sourceId, canonical } of pending) {
      for (const ref of collectReferences(canonical)) {
        const known = ids.get(ref.entity);
        if (known && !known.has(ref.sourceId)) {
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
    ids.set(type, seen);
    if (plan.entities.includes(entity)) report.entities[entity] = summary;
  }
  report.findings = report.findings.filter((finding) => plan.entities.includes(finding.entity as EntityName));
  return report;
}

function naturalKeys(type: string, record: Record<string, unknown>): string[] {
  switch (type) {
    case 'customer':
      return typeof record.email === 'string' ? [`email:${record.email.toLowerCase()}`] : [];
    case 'product':
      return ((record.variants as Product['variants'] | undefined) ?? [])
        .filter((v) => v.sku)
        .map((v) => `sku:${v.sku}`);
    case 'order':
      return typeof record.number === 'string' ? [`number:${record.number}`] : [];
    default:
      return [];
  }
}

/** Adds a record to its business categories; `skip` names categories whose field the destination cannot hold. */
export function count(summary: EntityAudit, type: string, record: Record<string, unknown>): void {
  const add = (category: string, value: unknown) => {
    const key = typeof value === 'string' && value !== '' ? value : '(none)';
    summary.categories[category] ??= {};
    summary.categories[category][key] = (summary.categories[category][key] ?? 0) + 1;
  };
  if (type === 'customer') {
    const addresses = (record.addresses as Customer['addresses'] | undefined) ?? [];
    add('country', (addresses.find((a) => a.isDefault) ?? addresses[0])?.country);
  } else if (type === 'product') {
    add('status', record.status);
    add('type', record.productType);
  } else if (type === 'order') {
    add('status', (record as Partial<Order>).financialStatus);
    add('currency', record.currency);
  }
}
