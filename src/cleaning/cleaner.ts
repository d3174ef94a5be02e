import type { EntityName } from '../canonical/entities';
import { placesAt } from '../canonical/field-path';
import { scalarText } from '../common/text';
import { stableStringify } from '../engine/record-hash';
import type { CleaningRules, EntityCleaningRules, SkipRule } from './cleaning-rules';

type Json = Record<string, unknown>;

const isMissing = (value: unknown) => value === undefined || value === null || value === '';

/**
 * One entity's cleaning rules, applied to a canonical record as it comes out of the inbound mapping.
 * The engine, the audit and reconcile all use this one class, so what the audit predicts, the run
 * does, and reconcile compares against the cleaned source rather than flagging the cleaning as drift.
 */
export class EntityCleaner {
  /** Part of every ledger row's source hash: changing the rules re-evaluates records already loaded. */
  readonly fingerprint: string | null;

  constructor(private readonly rules: EntityCleaningRules = {}) {
    const active =
      Boolean(rules.merge) || Object.keys(rules.defaults ?? {}).length > 0 || Boolean(rules.skip?.length);
    this.fingerprint = active ? stableStringify(rules) : null;
  }

  get mergesOn(): string | null {
    return this.rules.merge?.on ?? null;
  }

  /** Fills missing values in place (never creating a missing parent object); returns the fields it filled. */
  applyDefaults(record: Json): string[] {
    const filled: string[] = [];
    for (const [path, value] of Object.entries(this.rules.defaults ?? {})) {
      const segments = path.split('.');
      const leaf = segments.pop()!;
      for (const parent of containers(record, segments)) {
        if (isMissing(parent[leaf])) {
          parent[leaf] = value;
          if (!filled.includes(path)) filled.push(path);
        }
      }
    }
    return filled;
  }

  /** Why the plan leaves this record behind, or null. */
  skipReason(record: Json): string | null {
    for (const rule of this.rules.skip ?? []) {
      const values = valuesAt(record, rule.field).map((v) => scalarText(v));
      const hit = values.find((value) => wanted(rule).includes(value));
      if (hit !== undefined) return `skipped by the plan's cleaning rule ${describe(rule)} (it is "${hit}")`;
    }
    return null;
  }

  /** The record's merge key, normalised (trimmed, lower case), or null when it has none. */
  mergeKey(record: Json): string | null {
    if (!this.rules.merge) return null;
    const value = valuesAt(record, this.rules.merge.on)[0];
    return isMissing(value) ? null : scalarText(value).trim().toLowerCase();
  }
}

export function cleanerFor(cleaning: CleaningRules | undefined, entity: EntityName): EntityCleaner {
  return new EntityCleaner(cleaning?.[entity]);
}

/** The objects a path's leaf lives in: `addresses[].country` → every address. */
function containers(record: Json, segments: string[]): Json[] {
  return placesAt(record, segments.join('.'))
    .map(({ value }) => value)
    .filter((node): node is Json => node !== null && typeof node === 'object' && !Array.isArray(node));
}

function valuesAt(record: Json, path: string): unknown[] {
  // A list at the end (tags) matches by any element.
  return placesAt(record, path).flatMap(({ value }) =>
    Array.isArray(value) ? (value as unknown[]) : [value],
  );
}

const wanted = (rule: SkipRule) => (rule.in ?? [rule.equals!]).map((v) => scalarText(v));

function describe(rule: SkipRule): string {
  return rule.in ? `${rule.field} in [${wanted(rule).join(', ')}]` : `${rule.field} = ${wanted(rule)[0]}`;
}
