import { entityDefinition, naturalKeysOf } from '../canonical/entities';
import type { LoadOutcome, NativeRecord } from '../connectors/connector.port';
import type { RecordOutcome } from '../ledger/ledger.entities';
import type { EntityJob, Prepared } from './entity.pipeline';
import type { PredictedRecords } from './reference.resolver';

/** One record's predicted outcome in a dry run. */
export interface Prediction {
  entity: string;
  sourceId: string;
  outcome: RecordOutcome;
  reason?: string;
}

/** What a dry run learns as it goes: which records it expects to load (others may reference them), and every prediction. */
export class DryRun implements PredictedRecords {
  readonly predictions: Prediction[] = [];
  readonly expected = new Map<string, Set<string>>();
  readonly notLoaded: PredictedRecords['notLoaded'] = new Map();
  /** Merge survivors predicted so far, by `entity:key`. */
  readonly survivors = new Map<string, string>();
  /** Unique natural keys held so far in this run, per entity: `email:a@b.c` → the source record holding it. */
  private readonly held = new Map<string, Map<string, string>>();

  /**
   * Claims a record's unique keys for it, as the destination will once it is written; returns the key and
   * the record of this run already holding it, if one does (the destination refuses the second).
   */
  claim(entity: string, sourceId: string, keys: string[]): { key: string; holder: string } | null {
    if (!this.held.has(entity)) this.held.set(entity, new Map());
    const held = this.held.get(entity)!;
    for (const key of keys) {
      const holder = held.get(key);
      if (holder !== undefined && holder !== sourceId) return { key, holder };
    }
    for (const key of keys) held.set(key, sourceId);
    return null;
  }

  record(
    entity: string,
    type: string,
    sourceId: string,
    outcome: Prediction['outcome'],
    reason?: string,
  ): void {
    this.predictions.push({ entity, sourceId, outcome, ...(reason ? { reason } : {}) });
    if (outcome === 'created' || outcome === 'updated' || outcome === 'unchanged' || outcome === 'merged') {
      if (!this.expected.has(type)) this.expected.set(type, new Set());
      this.expected.get(type)!.add(sourceId);
    } else {
      if (!this.notLoaded.has(type)) this.notLoaded.set(type, new Map());
      this.notLoaded
        .get(type)!
        .set(sourceId, { status: outcome, lastError: reason ?? null, destinationId: null });
    }
  }
}

/** The record's natural keys the destination holds once per entity (`email:a@b.c`). */
function uniqueKeys(job: EntityJob, canonical: Record<string, unknown>): string[] {
  const unique = job.destination.entities[job.entity]?.uniqueKeys ?? [];
  if (unique.length === 0) return [];
  return naturalKeysOf(entityDefinition(job.entity).type, canonical).filter((key) =>
    unique.includes(key.slice(0, key.indexOf(':'))),
  );
}

export async function claimUnchanged(job: EntityJob, sourceId: string, record: NativeRecord): Promise<void> {
  if (!job.destination.entities[job.entity]?.uniqueKeys?.length) return;
  try {
    job.dryRun!.claim(
      job.entity,
      sourceId,
      uniqueKeys(job, await job.inbound.inbound(record, job.sourceContext)),
    );
  } catch {
    // A record its mapping cannot read any more holds no key the next run would write.
  }
}

/**
 * A dry run's answer for records whose unique key (an email, a SKU) another record of the same run holds
 * already: the destination refuses the second, so the real run fails it; predicted so, with the reason.
 */
export function foreseeDuplicates(
  job: EntityJob,
  dryRun: DryRun,
  toLoad: { prepared: Prepared }[],
  outcomes: LoadOutcome[],
): LoadOutcome[] {
  const type = entityDefinition(job.entity).type;
  return outcomes.map((outcome, index) => {
    if (outcome.action !== 'created' && outcome.action !== 'updated') return outcome;
    const clash = dryRun.claim(
      job.entity,
      outcome.sourceId,
      uniqueKeys(job, toLoad[index].prepared.canonical!),
    );
    if (!clash) return outcome;
    const [name, value] = [
      clash.key.slice(0, clash.key.indexOf(':')),
      clash.key.slice(clash.key.indexOf(':') + 1),
    ];
    return {
      sourceId: outcome.sourceId,
      action: 'failed',
      error: `${job.destination.platform} holds one ${type} per ${name}, and ${value} is the ${name} of source record ${clash.holder} too; merge the two (cleaning: merge on ${name}) or give one another ${name}`,
    };
  });
}
