import { entityDefinition, entityOfType, type EntityName } from '../canonical/entities';
import type { EntityCleaner } from '../cleaning/cleaner';
import { placesAt } from '../canonical/field-path';
import {
  missingAsText,
  overLimits,
  overListLimit,
  textIssues,
  truncatedToLimits,
} from '../canonical/text-guard';
import { describeIssues } from '../canonical/validation';
import type { Connector, LoadItem, LoadOutcome, NativeRecord } from '../connectors/connector.port';
import { errorMessage } from '../common/errors';
import { parseUtc } from '../common/time';
import type { LedgerRecordRow } from '../ledger/ledger.entities';
import {
  type EntityCounters,
  type JournalDraft,
  type LedgerRepository,
  type PageCommit,
  zeroCounters,
} from '../ledger/ledger.repository';
import type { MappingContext } from '../mapping/mapping.compiler';
import type { LoadedMapping } from '../mapping/mapping.loader';
import { loadConfirmed } from './confirmed-load';
import { claimUnchanged, DryRun, foreseeDuplicates } from './dry-run';
import { beforeImages, journalOf } from './journal';
import { findMerges } from './merge-pass';
import { readAhead, regroup } from './page-stream';
import { recordHash } from './record-hash';
import { ReferenceHealer } from './reference-healer';
import { collectReferences, ReferenceResolver } from './reference.resolver';

export interface EntityJob {
  migrationId: string;
  runId: string;
  entity: EntityName;
  source: Connector;
  destination: Connector;
  inbound: LoadedMapping;
  outbound: LoadedMapping;
  sourceContext: MappingContext;
  destinationContext: MappingContext;
  /** The plan's cleaning rules for this entity: defaults, skips, merges. */
  cleaner: EntityCleaner;
  /** A text longer than the destination's field takes: the record held back, or loaded cut to it. */
  overLongText?: 'quarantine' | 'truncate';
  /** Records per page read from the source. */
  pageSize: number;
  /** Records per batch handed to the destination: source pages are joined until they hold this many. */
  batchSize: number;
  /** Resume point: the cursor of the last fully committed page. */
  checkpoint: string | null;
  signal?: AbortSignal;
  onPage?: (counters: EntityCounters) => Promise<void> | void;
  /** A retry run: read just these source records back (by id) instead of the whole entity. */
  onlySourceIds?: string[];
  /** A delta run: read only the records the source changed since then (ISO UTC). */
  modifiedSince?: string;
  /** A full read: what the source prepared since the run began may be taken over (see ReadOptions). */
  preparedSince?: string;
  /**
   * A repair run: write every record read even if the ledger calls it unchanged, and write those in `gone`
   * (missing in the destination) as new, looked up by their source identity first.
   */
  repair?: { gone: Set<string> };
  /** A dry run: the destination is only looked up, and no ledger row is written. */
  dryRun?: DryRun;
}

type LedgerRowDraft = PageCommit['rows'][number];

export interface Prepared {
  sourceId: string;
  /** The record as the source gave it. */
  record: NativeRecord;
  hash: string;
  previous?: LedgerRecordRow;
  canonical?: Record<string, unknown>;
  extraFields: string[];
  quarantine?: string;
  /** Why a cleaning rule leaves the record behind. */
  skip?: string;
  /** The merge rule's key, when the plan merges this entity. */
  naturalKey?: string | null;
  /** Unchanged since its last load: nothing to write. */
  unchanged?: boolean;
}

/**
 * Runs one entity of one migration from its checkpoint, page by page. Memory holds one page; the
 * page's ledger rows and the next checkpoint are committed together, so a crash anywhere re-does at
 * most one page, and the pending marks written before each load make that re-do safe.
 */
export async function runEntity(
  job: EntityJob,
  ledger: LedgerRepository,
): Promise<'completed' | 'interrupted'> {
  const resolver = new ReferenceResolver(
    entityDefinition(job.entity).type,
    ledger,
    job.migrationId,
    job.dryRun,
  );
  // A dry run predicts from the ledger as it is; a real run repairs stale rows it runs into.
  const healer = job.dryRun ? undefined : new ReferenceHealer(ledger, job.migrationId, job.destination);
  const read = job.onlySourceIds
    ? pagesOfIds(job.source, job.entity, job.onlySourceIds, job.pageSize, job.checkpoint)
    : job.source.read(job.entity, {
        cursor: job.checkpoint,
        pageSize: job.pageSize,
        ...(job.modifiedSince ? { modifiedSince: job.modifiedSince } : {}),
        ...(job.preparedSince ? { preparedSince: job.preparedSince } : {}),
      });
  // The destination gets batches as full as it takes, and the source's next page is read meanwhile.
  const pages = readAhead(regroup(read, job.batchSize));
  const modifiedAtField = job.source.entities[job.entity]?.modifiedAtField;
  // A page's commit may overlap the next page's work where the ledger allows it, unless a page reads what the
  // one before it commits: a merge rule looks up survivors by natural key, a dry run predicts from the ledger.
  const overlap = ledger.commitsOverlap && !job.dryRun && !job.cleaner.mergesOn;
  // The commit still on its way, if any: at most one, so a ledger that fails stops the run a page later, not more.
  let inFlight: Promise<void> | undefined;
  try {
    for await (const page of pages) {
      const counters = await processPage(job, ledger, { resolver, healer }, page.records);
      // Checkpoints land in page order: this page's commit starts once the one before it has landed (or throws
      // its failure here).
      await inFlight;
      inFlight = (async () => {
        await ledger.commitPage(job.migrationId, job.runId, job.entity, {
          rows: job.dryRun ? [] : counters.rows,
          unchanged: job.dryRun ? [] : counters.unchanged,
          journal: job.dryRun ? [] : counters.journal,
          highWater: job.dryRun || !modifiedAtField ? null : latestModified(page.records, modifiedAtField),
          counters: counters.counters,
          checkpoint: job.dryRun ? undefined : (page.nextCursor ?? 'done'),
        });
        await job.onPage?.(counters.counters);
      })();
      // Overlapping, a failure surfaces at the next page or at the end, never unhandled.
      inFlight.catch(() => undefined);
      if (!overlap || job.signal?.aborted) await inFlight;
      if (job.signal?.aborted) return 'interrupted';
    }
  } finally {
    // However the loop ends, no commit is left running (and a failed one is reported, not lost).
    await inFlight;
  }
  return 'completed';
}

async function processPage(
  job: EntityJob,
  ledger: LedgerRepository,
  references: { resolver: ReferenceResolver; healer?: ReferenceHealer },
  records: NativeRecord[],
): Promise<{
  rows: LedgerRowDraft[];
  unchanged: string[];
  journal: JournalDraft[];
  counters: EntityCounters;
}> {
  const { resolver, healer } = references;
  const counters = zeroCounters();
  const journal: JournalDraft[] = [];
  counters.extracted = records.length;
  const ids = records.map((record) => job.source.idOf(job.entity, record));
  const previous = await ledger.rowsBySourceId(job.migrationId, job.entity, ids);
  const rows: LedgerRowDraft[] = [];
  // Unchanged records keep their rows: only this run and the outcome are noted, in one statement.
  const unchanged: string[] = [];
  const row = (p: Prepared, fields: Partial<LedgerRowDraft>): LedgerRowDraft => ({
    migrationId: job.migrationId,
    entity: job.entity,
    sourceId: p.sourceId,
    destinationId: p.previous?.destinationId ?? null,
    status: 'quarantined',
    naturalKey: p.naturalKey ?? p.previous?.naturalKey ?? null,
    lastOutcome: 'quarantined',
    sourceHash: p.hash,
    inboundMapping: job.inbound.key,
    outboundMapping: job.outbound.key,
    refs: p.previous?.refs ?? null,
    extraFields: p.extraFields.length > 0 ? p.extraFields : null,
    attempts: p.previous?.attempts ?? 0,
    lastError: null,
    lastRunId: job.runId,
    ...fields,
  });

  // Map in and validate, skipping records whose source and mappings are unchanged since their last load.
  const prepared = await Promise.all(
    records.map(async (record, index): Promise<Prepared> => {
      const sourceId = ids[index];
      const p: Prepared = {
        sourceId,
        record,
        // The cleaning rules are part of the hash: changing them re-evaluates records already loaded.
        hash: job.cleaner.fingerprint
          ? recordHash({ record, cleaning: job.cleaner.fingerprint })
          : recordHash(record),
        previous: previous.get(sourceId),
        extraFields: [],
      };
      if (!job.repair && isUnchanged(p, job)) {
        p.unchanged = true;
        // A dry run still learns what it holds: a later record with the same unique key is refused.
        if (job.dryRun) await claimUnchanged(job, p.sourceId, record);
        return p;
      }
      try {
        const mapped = await job.inbound.inbound(record, job.sourceContext);
        p.extraFields = Object.keys((mapped.extra as Record<string, unknown> | undefined) ?? {});
        job.cleaner.applyDefaults(mapped);
        p.skip = job.cleaner.skipReason(mapped) ?? undefined;
        if (p.skip) return p;
        const result = entityDefinition(job.entity).schema.safeParse(mapped);
        const textProblems = result.success ? textIssues(result.data) : [];
        if (!result.success)
          p.quarantine = `invalid ${entityDefinition(job.entity).type}: ${describeIssues(result.error, mapped)}`;
        else if (textProblems.length > 0)
          p.quarantine = `invalid ${entityDefinition(job.entity).type}: ${textProblems.join('; ')}`;
        else {
          p.canonical = result.data;
          p.naturalKey = job.cleaner.mergeKey(result.data);
        }
      } catch (error) {
        p.quarantine = `mapping ${job.inbound.key} failed: ${errorMessage(error)}`;
      }
      return p;
    }),
  );

  const toResolve = prepared.filter((p) => p.canonical !== undefined);
  const page = toResolve.map((p) => ({ sourceId: p.sourceId, canonical: p.canonical }));
  const { problems: orphans, warnings } = healer
    ? await healer.resolve(resolver, page)
    : await resolver.resolvePage(page);
  const merges = await findMerges(
    job,
    ledger,
    toResolve.filter((p) => p.quarantine === undefined && !orphans.has(p.sourceId)),
  );
  const mergedInPage: { prepared: Prepared; survivor: string }[] = [];
  const toLoad: { prepared: Prepared; item: LoadItem }[] = [];
  for (const p of prepared) {
    if (p.skip !== undefined) {
      counters.skipped++;
      // lastError carries the rule that skipped it: the ledger's one column for "why".
      rows.push(row(p, { status: 'skipped', lastOutcome: 'skipped', lastError: p.skip }));
      continue;
    }
    if (p.unchanged) {
      counters.unchanged++;
      unchanged.push(p.sourceId);
      continue;
    }
    const reasons = orphans.get(p.sourceId);
    if (p.quarantine !== undefined || reasons) {
      counters.quarantined++;
      rows.push(row(p, { lastError: p.quarantine ?? reasons!.join('; ') }));
      continue;
    }
    const merge = merges.get(p.sourceId);
    if (merge?.row) {
      counters.merged++;
      rows.push(mergedRow(row, p, merge.row, job));
      continue;
    }
    if (merge) {
      mergedInPage.push({ prepared: p, survivor: merge.survivor });
      continue;
    }
    try {
      const mapped = await job.outbound.write(p.canonical!, job.destinationContext);
      const { links } = mapped;
      let { payload, children } = mapped;
      const { fieldLimits, listLimit } = job.destination.entities[job.entity] ?? {};
      if (fieldLimits && job.overLongText === 'truncate') {
        // The plan takes over-long text cut to the field: loaded, and the cut listed under warnings.
        const cut = truncatedToLimits({ ...payload, ...children }, fieldLimits);
        if (cut.cuts.length > 0) {
          ({ payload, children } = splitWritten(cut.payload, Object.keys(children)));
          const said = cut.cuts.map((what) => `${what} (${job.destination.platform} takes no more)`);
          warnings.set(p.sourceId, [...(warnings.get(p.sourceId) ?? []), ...said]);
        }
      }
      const written = { ...payload, ...children };
      const tooLong = [
        ...(fieldLimits ? overLimits(written, fieldLimits, job.destination.platform) : []),
        ...(listLimit ? overListLimit(written, listLimit, job.destination.platform) : []),
      ];
      if (tooLong.length > 0) {
        counters.quarantined++;
        rows.push(row(p, { lastError: `too long for ${job.destination.platform}: ${tooLong.join('; ')}` }));
        continue;
      }
      const madeUp = missingValueAsText(job, p.record, [payload, children]);
      if (madeUp) {
        counters.quarantined++;
        rows.push(row(p, { lastError: madeUp }));
        continue;
      }
      toLoad.push({
        prepared: p,
        item: {
          sourceId: p.sourceId,
          payload,
          ...(Object.keys(children).length > 0 ? { children } : {}),
          ...(Object.keys(links).length > 0 ? { links } : {}),
          destinationId: job.repair?.gone.has(p.sourceId)
            ? undefined
            : (p.previous?.destinationId ?? undefined),
        },
      });
    } catch (error) {
      counters.quarantined++;
      rows.push(row(p, { lastError: `mapping ${job.outbound.key} failed: ${errorMessage(error)}` }));
    }
  }

  if (toLoad.length > 0) {
    const items = toLoad.map(({ item }) => item);
    if (!job.dryRun)
      await ledger.markPending(
        job.migrationId,
        job.entity,
        job.runId,
        items.map((item) => item.sourceId),
      );
    // A pending row is a write a crashed attempt sent, no earlier than the row was marked: found now, it
    // was created by that attempt.
    const unconfirmed = new Set<LoadItem>();
    for (const { prepared, item } of toLoad) {
      if (prepared.previous?.status !== 'pending') continue;
      item.maybeWrittenSince = prepared.previous.updatedAt;
      unconfirmed.add(item);
    }
    // Before an update, what it will overwrite: the journal keeps it so the run can be undone.
    const before = job.dryRun ? new Map<string, Record<string, unknown>>() : await beforeImages(job, items);
    let outcomes = job.dryRun
      ? foreseeDuplicates(job, job.dryRun, toLoad, await job.destination.preview(job.entity, items))
      : await loadConfirmed(job.destination, job.entity, items, unconfirmed);
    if (healer) outcomes = await reloadAfterHealing(job, { resolver, healer }, toLoad, outcomes);
    outcomes.forEach((outcome, index) => {
      const p = toLoad[index].prepared;
      const attempts = (p.previous?.attempts ?? 0) + 1;
      if (outcome.action === 'failed' || outcome.action === 'unknown') {
        counters.failed++;
        rows.push(row(p, { status: 'failed', lastOutcome: 'failed', lastError: outcome.error, attempts }));
      } else {
        counters[outcome.action]++;
        if (outcome.written !== false)
          journal.push(journalOf(job, outcome, before.get(outcome.destinationId), toLoad[index].item));
        rows.push(
          row(p, {
            status: 'loaded',
            lastOutcome: outcome.action,
            destinationId: outcome.destinationId,
            refs: outcome.refs ?? null,
            attempts,
            // On a loaded row, a warning: what loaded differently from the source (an owner with no match,
            // a phone the destination could not take).
            lastError:
              [...(warnings.get(p.sourceId) ?? []), ...(outcome.warning ? [outcome.warning] : [])].join(
                '; ',
              ) || null,
          }),
        );
      }
    });
  }
  // Duplicates of a record loaded in this very page merge once it has loaded; if it did not, they wait for it.
  for (const { prepared: p, survivor } of mergedInPage) {
    const survivorRow = rows.find((r) => r.sourceId === survivor);
    if (survivorRow?.status === 'loaded') {
      counters.merged++;
      rows.push(mergedRow(row, p, survivorRow, job));
    } else {
      counters.quarantined++;
      rows.push(
        row(p, {
          lastError: `duplicate of ${entityDefinition(job.entity).type} ${survivor} (merge on ${job.cleaner.mergesOn}), which did not load: ${survivorRow?.lastError ?? 'unknown'}; fix ${survivor}, then re-run`,
        }),
      );
    }
  }
  if (job.dryRun) {
    for (const sourceId of unchanged)
      job.dryRun.record(job.entity, entityDefinition(job.entity).type, sourceId, 'unchanged');
    for (const row of rows)
      job.dryRun.record(
        job.entity,
        entityDefinition(job.entity).type,
        row.sourceId,
        row.lastOutcome ?? 'failed',
        row.lastError ?? undefined,
      );
  }
  return { rows, unchanged, journal, counters };
}

/**
 * Loads refused because of a referenced record (a variant id the destination no longer has) get one more
 * try: the referenced records are read back, their ledger rows repaired, and the refused records resolved,
 * mapped and loaded again. Nothing is retried when no referenced row changed.
 */
async function reloadAfterHealing(
  job: EntityJob,
  references: { resolver: ReferenceResolver; healer: ReferenceHealer },
  toLoad: { prepared: Prepared; item: LoadItem }[],
  outcomes: LoadOutcome[],
): Promise<LoadOutcome[]> {
  const refused = toLoad
    .map((entry, index) => ({ ...entry, index }))
    .filter(({ index }) => outcomes[index].action === 'failed');
  const referenced = refused.flatMap(({ prepared }) =>
    collectReferences(entityDefinition(job.entity).type, prepared.canonical).map((ref) => ({
      entity: entityOfType(ref.entity),
      sourceId: ref.sourceId,
    })),
  );
  if (referenced.length === 0 || !(await references.healer.recheck(referenced))) return outcomes;
  const { problems } = await references.resolver.resolvePage(
    refused.map(({ prepared }) => ({ sourceId: prepared.sourceId, canonical: prepared.canonical })),
  );
  const result = [...outcomes];
  const again: { index: number; item: LoadItem }[] = [];
  for (const { prepared, item, index } of refused) {
    const reasons = problems.get(prepared.sourceId);
    if (reasons) {
      result[index] = { sourceId: item.sourceId, action: 'failed', error: reasons.join('; ') };
      continue;
    }
    try {
      const { payload, children, links } = await job.outbound.write(
        prepared.canonical!,
        job.destinationContext,
      );
      const madeUp = missingValueAsText(job, prepared.record, [payload, children]);
      if (madeUp) {
        result[index] = { sourceId: item.sourceId, action: 'failed', error: madeUp };
        continue;
      }
      again.push({ index, item: { ...item, payload, children, links } });
    } catch (error) {
      const message = `mapping ${job.outbound.key} failed: ${errorMessage(error)}`;
      result[index] = { sourceId: item.sourceId, action: 'failed', error: message };
    }
  }
  const retried = await loadConfirmed(
    job.destination,
    job.entity,
    again.map(({ item }) => item),
    new Set(),
  );
  again.forEach(({ index }, i) => (result[index] = retried[i]));
  return result;
}

/** Why a record is refused when its mappings would write a missing value as text (see missingAsText), if so. */
/** A cut payload taken apart again: the record's own fields, and its children by the names the mapping gave. */
function splitWritten(
  written: Record<string, unknown>,
  childNames: string[],
): { payload: NativeRecord; children: Record<string, NativeRecord[]> } {
  const payload: NativeRecord = { ...written };
  const children: Record<string, NativeRecord[]> = {};
  for (const name of childNames) {
    children[name] = payload[name] as NativeRecord[];
    delete payload[name];
  }
  return { payload, children };
}

function missingValueAsText(job: EntityJob, record: NativeRecord, written: unknown[]): string | undefined {
  const madeUp = missingAsText(written, record);
  if (madeUp.length === 0) return undefined;
  return `the mappings (${job.inbound.key}, ${job.outbound.key}) wrote a missing value as text: ${madeUp.join('; ')}; fix the mapping`;
}

/** A duplicate folded into its survivor: no write, and references to it resolve to the survivor's record. */
function mergedRow(
  row: (p: Prepared, fields: Partial<LedgerRowDraft>) => LedgerRowDraft,
  p: Prepared,
  survivor: Pick<LedgerRecordRow, 'sourceId' | 'destinationId' | 'refs'>,
  job: EntityJob,
): LedgerRowDraft {
  return row(p, {
    status: 'merged',
    lastOutcome: 'merged',
    destinationId: survivor.destinationId,
    refs: survivor.refs,
    lastError: `merged into ${entityDefinition(job.entity).type} ${survivor.sourceId} (same ${job.cleaner.mergesOn}) by the plan's cleaning rule`,
  });
}

/** Source records by id, a page at a time; the cursor is how many ids are done. */
async function* pagesOfIds(
  source: Connector,
  entity: EntityJob['entity'],
  ids: string[],
  pageSize: number,
  cursor: string | null,
) {
  for (let start = cursor ? Number(cursor) : 0; start < ids.length; start += pageSize) {
    const records = await source.fetch(entity, ids.slice(start, start + pageSize));
    yield { records, nextCursor: start + pageSize < ids.length ? String(start + pageSize) : null };
  }
}

/**
 * The latest modified time among a page's records, from the source's own field, as ISO UTC: what the next
 * delta run reads from. A time without a zone is the platform's GMT (WooCommerce's `date_modified_gmt`).
 */
function latestModified(records: NativeRecord[], field: string): string | null {
  let latest: string | null = null;
  for (const record of records) {
    const value = placesAt(record, field)[0]?.value;
    const time = typeof value === 'string' && value !== '' ? parseUtc(value) : null;
    if (time === null) continue;
    const iso = new Date(time).toISOString();
    if (latest === null || iso > latest) latest = iso;
  }
  return latest;
}

function isUnchanged(p: Prepared, job: EntityJob): boolean {
  const last = p.previous;
  return (
    last !== undefined &&
    last.status === 'loaded' &&
    last.destinationId !== null &&
    last.sourceHash === p.hash &&
    last.inboundMapping === job.inbound.key &&
    last.outboundMapping === job.outbound.key
  );
}
