import type { LedgerRecordRow } from '../ledger/ledger.entities';
import type { LedgerRepository } from '../ledger/ledger.repository';
import type { EntityJob, Prepared } from './entity.pipeline';

export interface Merge {
  /** The source id of the record this one merges into. */
  survivor: string;
  /** The survivor's ledger row when it has loaded already; absent when it loads in this same page. */
  row?: Pick<LedgerRecordRow, 'sourceId' | 'destinationId' | 'refs'>;
}

/**
 * Applies a plan's merge rule to one page: the first record to load with a key survives, and every later
 * record with that key merges into it. A record an earlier run loaded stays loaded: merging never
 * undoes a write. Returns the records that merge, by source id.
 */
export async function findMerges(
  job: EntityJob,
  ledger: LedgerRepository,
  candidates: Prepared[],
): Promise<Map<string, Merge>> {
  const merges = new Map<string, Merge>();
  if (!job.cleaner.mergesOn) return merges;
  const keyed = candidates.filter((p) => p.naturalKey);
  const loaded = await ledger.loadedByNaturalKey(job.migrationId, job.entity, [
    ...new Set(keyed.map((p) => p.naturalKey!)),
  ]);
  // A dry run writes no ledger rows, so the survivors it predicted on earlier pages are kept in memory.
  const predicted = job.dryRun?.survivors;
  const inPage = new Map<string, string>();
  for (const p of keyed) {
    const key = p.naturalKey!;
    if (p.previous?.status === 'loaded') {
      if (!inPage.has(key)) inPage.set(key, p.sourceId);
      continue;
    }
    const row = loaded.get(key);
    const earlier = predicted?.get(`${job.entity}:${key}`);
    if (row && row.sourceId !== p.sourceId) merges.set(p.sourceId, { survivor: row.sourceId, row });
    else if (earlier && earlier !== p.sourceId)
      merges.set(p.sourceId, {
        survivor: earlier,
        row: { sourceId: earlier, destinationId: null, refs: null },
      });
    else if (inPage.has(key)) merges.set(p.sourceId, { survivor: inPage.get(key)! });
    else inPage.set(key, p.sourceId);
  }
  for (const [key, sourceId] of inPage) predicted?.set(`${job.entity}:${key}`, sourceId);
  return merges;
}
