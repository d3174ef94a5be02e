import { entityDefinition, entityOfType, type EntityName, naturalKeysOf } from '../canonical/entities';
import type { EntityCleaner } from '../cleaning/cleaner';
import { overLimits, textIssues } from '../canonical/text-guard';
import { describeIssues } from '../canonical/validation';
import type { Connector, LoadItem, LoadOutcome, NativeRecord } from '../connectors/connector.port';
import { errorMessage } from '../common/errors';
import type { LedgerRecordRow, RecordOutcome } from '../ledger/ledger.entities';
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
import { findMerges } from './merge-pass';
import { recordHash } from './record-hash';
import { ReferenceHealer } from './reference-healer';
import { collectReferences, type PredictedRecords, ReferenceResolver } from './reference.resolver';

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
  pageSize: number;
  /** Resume point: the cursor of the last fully committed page. */
  checkpoint: string | null;
  signal?: AbortSignal;
  onPage?: (counters: EntityCounters) => Promise<void> | void;
  /** A retry run: read just these source records back (by id) instead of the whole entity. */
  onlySourceIds?: string[];
  /** A dry run: the destination is only looked up, and no ledger row is written. */
  dryRun?: DryRun;
}

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

type LedgerRowDraft = PageCommit['rows'][number];

export interface Prepared {
  sourceId: string;
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
  const pages = job.onlySourceIds
    ? pagesOfIds(job.source, job.entity, job.onlySourceIds, job.pageSize, job.checkpoint)
    : job.source.read(job.entity, { cursor: job.checkpoint, pageSize: job.pageSize });
  for await (const page of pages) {
    const counters = await processPage(job, ledger, { resolver, healer }, page.records);
    await ledger.commitPage(job.migrationId, job.runId, job.entity, {
      rows: job.dryRun ? [] : counters.rows,
      journal: job.dryRun ? [] : counters.journal,
      counters: counters.counters,
      checkpoint: job.dryRun ? undefined : (page.nextCursor ?? 'done'),
    });
    await job.onPage?.(counters.counters);
    if (job.signal?.aborted) return 'interrupted';
  }
  return 'completed';
}

async function processPage(
  job: EntityJob,
  ledger: LedgerRepository,
  references: { resolver: ReferenceResolver; healer?: ReferenceHealer },
  records: NativeRecord[],
): Promise<{ rows: LedgerRowDraft[]; journal: JournalDraft[]; counters: EntityCounters }> {
  const { resolver, healer } = references;
  const counters = zeroCounters();
  const journal: JournalDraft[] = [];
  counters.extracted = records.length;
  const ids = records.map((record) => job.source.idOf(job.entity, record));
  const previous = await ledger.rowsBySourceId(job.migrationId, job.entity, ids);
  const rows: LedgerRowDraft[] = [];
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
        // The cleaning rules are part of the hash: changing them re-evaluates records already loaded.
        hash: job.cleaner.fingerprint
          ? recordHash({ record, cleaning: job.cleaner.fingerprint })
          : recordHash(record),
        previous: previous.get(sourceId),
        extraFields: [],
      };
      if (isUnchanged(p, job)) {
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
      rows.push({ ...p.previous!, lastOutcome: 'unchanged', lastRunId: job.runId });
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
      const { payload, children, links } = await job.outbound.write(p.canonical!, job.destinationContext);
      const limits = job.destination.entities[job.entity]?.fieldLimits;
      const tooLong = limits ? overLimits({ ...payload, ...children }, limits, job.destination.platform) : [];
      if (tooLong.length > 0) {
        counters.quarantined++;
        rows.push(row(p, { lastError: `too long for ${job.destination.platform}: ${tooLong.join('; ')}` }));
        continue;
      }
      toLoad.push({
        prepared: p,
        item: {
          sourceId: p.sourceId,
          payload,
          ...(Object.keys(children).length > 0 ? { children } : {}),
          ...(Object.keys(links).length > 0 ? { links } : {}),
          destinationId: p.previous?.destinationId ?? undefined,
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
    // A pending row is a write a crashed attempt sent: found now, it was created by that attempt.
    const unconfirmed = new Set(
      toLoad.filter(({ prepared }) => prepared.previous?.status === 'pending').map(({ item }) => item),
    );
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
          journal.push(...journalOf(job, outcome, before.get(outcome.destinationId)));
        rows.push(
          row(p, {
            status: 'loaded',
            lastOutcome: outcome.action,
            destinationId: outcome.destinationId,
            refs: outcome.refs ?? null,
            attempts,
            // On a loaded row, a warning: what loaded differently from the source (an owner with no match).
            lastError: warnings.get(p.sourceId)?.join('; ') ?? null,
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
    for (const row of rows)
      job.dryRun.record(
        job.entity,
        entityDefinition(job.entity).type,
        row.sourceId,
        row.lastOutcome ?? 'failed',
        row.lastError ?? undefined,
      );
  }
  return { rows, journal, counters };
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
 * The fields each update is about to write, as the destination holds them now, by destination id: read back
 * for the records the ledger already places there. A record the connector finds by itself (a lost ledger)
 * is journaled as updated without one.
 */
async function beforeImages(
  job: EntityJob,
  items: LoadItem[],
): Promise<Map<string, Record<string, unknown>>> {
  const known = items.filter((item) => item.destinationId);
  if (known.length === 0) return new Map();
  const fields = [...new Set(known.flatMap((item) => Object.keys(item.payload)))];
  const current = await job.destination.fetch(
    job.entity,
    known.map((item) => item.destinationId!),
    fields,
  );
  const byId = new Map(current.map((record) => [job.destination.idOf(job.entity, record), record]));
  const images = new Map<string, Record<string, unknown>>();
  for (const item of known) {
    const record = byId.get(item.destinationId!);
    if (!record) continue;
    const shaped = job.destination.writeShape?.(job.entity, record) ?? record;
    images.set(
      item.destinationId!,
      Object.fromEntries(Object.keys(item.payload).map((field) => [field, shaped[field] ?? null])),
    );
  }
  return images;
}

/** The journal entries of one loaded record: the record itself, then the children and links written with it. */
function journalOf(
  job: EntityJob,
  outcome: Extract<LoadOutcome, { action: 'created' | 'updated' }>,
  before: Record<string, unknown> | undefined,
): JournalDraft[] {
  return [
    {
      sourceId: outcome.sourceId,
      part: 'record',
      object: job.entity,
      destinationId: outcome.destinationId,
      action: outcome.action,
      before: outcome.action === 'updated' ? (before ?? null) : null,
      link: null,
    },
    ...(outcome.parts ?? []).map((part) => ({
      sourceId: outcome.sourceId,
      ...part,
      before: part.before ?? null,
      link: part.link ?? null,
    })),
  ];
}

/** The record's natural keys the destination holds once per entity (`email:a@b.c`). */
function uniqueKeys(job: EntityJob, canonical: Record<string, unknown>): string[] {
  const unique = job.destination.entities[job.entity]?.uniqueKeys ?? [];
  if (unique.length === 0) return [];
  return naturalKeysOf(entityDefinition(job.entity).type, canonical).filter((key) =>
    unique.includes(key.slice(0, key.indexOf(':'))),
  );
}

async function claimUnchanged(job: EntityJob, sourceId: string, record: NativeRecord): Promise<void> {
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
function foreseeDuplicates(
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
