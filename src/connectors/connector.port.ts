import type { EntityName } from '../canonical/entities';
import type { RecordRefs } from '../ledger/ledger.entities';

export type NativeRecord = Record<string, unknown>;

/** How a platform exposes one entity: data the engine and reports rely on. */
export interface EntityDescriptor {
  idField: string;
  naturalKey: string;
  modifiedAtField: string;
  /** Most records one write call accepts. */
  batchLimit: number;
  /**
   * Records to hand one load where each brings children that take places in write calls of their own (a
   * HubSpot deal's line items and their associations): enough that those calls fill too. Unset: `batchLimit`.
   */
  loadSize?: number;
  /** Most records one read call returns. */
  maxPageSize: number;
  /**
   * The platform's documented text limits on this entity's payload, by payload path (`title`, `tags[]` for
   * each element): a record over one is quarantined with the limit, never cut short or refused mid-batch.
   */
  fieldLimits?: Record<string, number>;
  /** The most items any list in a payload may hold in one write (Shopify's input arrays: 250): more is quarantined. */
  listLimit?: number;
  /**
   * The canonical natural keys (their registry names: `email`, `sku`) the platform holds once per entity: a
   * second record with a value another already holds is refused. A dry run predicts that refusal.
   */
  uniqueKeys?: string[];
  /**
   * What archiving a record means here, where the platform can keep a record out of use without deleting it
   * (WooCommerce: the trash): a plan's `deletes: { <entity>: archive }` is refused where this is absent.
   */
  archive?: string;
}

export interface ReadOptions {
  /** Opaque cursor of the last fully loaded page; null starts at the beginning. */
  cursor: string | null;
  pageSize: number;
  modifiedSince?: string;
  /**
   * A read the platform prepared at or after this moment (ISO 8601), for the same run in another worker, may be
   * taken over instead of preparing another (Shopify: a finished bulk export of the same query). The engine
   * gives a full read its run's start: data as of any later moment is what the run asked for.
   */
  preparedSince?: string;
}

export interface ReadPage {
  records: NativeRecord[];
  /** Cursor that reads the page after this one; null when this was the last page. */
  nextCursor: string | null;
}

export interface LoadItem {
  sourceId: string;
  /** The record's own fields, destination-native, as the outbound mapping's `fields` produced them. */
  payload: NativeRecord;
  /** Collections written as records of their own (the mapping's `children`: a deal's line items, …). */
  children?: Record<string, NativeRecord[]>;
  /** The records it is linked to (the mapping's `links`): destination ids by the linked object type. */
  links?: Record<string, string[]>;
  /**
   * Known from the ledger: the record was loaded before, update it in place. Without it the connector
   * must look the record up by its source identity (or natural key) before creating it: the ledger may be
   * new, lost, or behind a write whose reply never came.
   */
  destinationId?: string;
  /**
   * An earlier write of this record may have been saved without its answer arriving (a lost reply in this
   * run, or an attempt that crashed mid-write), no earlier than this time (ISO 8601). A platform whose
   * search lags behind its writes must then look the record up where it is current, not only by search.
   */
  maybeWrittenSince?: string;
}

/**
 * A child or link a load wrote besides the record itself (an order line, a variant, a line item, an
 * association, a contact role, a price-book entry): what the connector reports for the journal.
 */
export interface WrittenPart {
  /** What it is to the record: `line`, `variant`, `association`, `contactRole`, `priceBookEntry`, … */
  part: string;
  /** The destination's object type it lives in (`line_items`, `OpportunityLineItem`, `variations`). */
  object: string;
  destinationId: string;
  action: 'created' | 'updated' | 'deleted' | 'linked' | 'unlinked';
  /** For an update: the fields it wrote, as the destination held them before. */
  before?: Record<string, unknown>;
  /** For a link: its two ends (destination ids) and its type. */
  link?: { from: string; to: string; type?: string };
}

/** Adds a written part to the ones a record's write made, keyed by the record's destination id. */
export function addWrittenPart(parts: Map<string, WrittenPart[]>, recordId: string, part: WrittenPart): void {
  parts.set(recordId, [...(parts.get(recordId) ?? []), part]);
}

export type LoadOutcome =
  | {
      sourceId: string;
      action: 'created' | 'updated';
      destinationId: string;
      refs?: RecordRefs;
      /** The children and links written with the record. */
      parts?: WrittenPart[];
      /** False when the record was only matched, nothing written (CRM users): the journal has no entry. */
      written?: boolean;
      /** What loaded differently from the payload, and where the rest went (a phone kept in the note). */
      warning?: string;
    }
  | { sourceId: string; action: 'failed'; error: string }
  /**
   * The write was sent and no definitive answer came: the engine tries again, and the connector looks the
   * record up first. `attempted` says whether the lost write was a create (so a record found next time was
   * made by this run) or an update of a record that was there.
   */
  | { sourceId: string; action: 'unknown'; error: string; attempted?: 'create' | 'update' };

export interface PlatformInfo {
  /** The account's currency (ISO 4217): what money without its own currency is in; absent where a platform has none (a file). */
  currency?: string;
  name?: string;
  /** Platform facts an outbound mapping may need (a location id, say); exposed to mappings as `$ctx`. */
  context?: Record<string, unknown>;
  /** What the operator should know before a run (the platform answered with another API version, say). */
  notices?: string[];
}

export interface ConnectionConfig {
  platform: string;
  url: string;
  credentials: Record<string, string>;
}

/** Counts the client reports, so runs and benchmarks can show where time went. */
export interface ClientStats {
  calls: number;
  errors: number;
  throttleWaits: number;
  throttleWaitMs: number;
}

/**
 * What an accountant signs off on, over everything booked before a date: each ledger account's balance (by
 * its code, debit positive), what each relation has open (`receivable:<number>`, `payable:<number>`, positive
 * is owed), and the VAT booked per VAT code on its VAT account. Decimal strings; a zero is left out.
 */
export interface AccountingFigures {
  currency: string;
  trialBalance: Record<string, string>;
  openItems: Record<string, string>;
  vat: Record<string, string>;
}

/** What every platform connector offers. Retries, backoff and rate limits are the connector's job. */
export interface Connector {
  readonly platform: string;
  readonly entities: Record<EntityName, EntityDescriptor>;
  readonly stats: ClientStats;
  /** Reaches the platform with the given credentials; throws PLATFORM_UNREACHABLE / PLATFORM_AUTH. */
  check(): Promise<PlatformInfo>;
  read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage>;
  /**
   * The reads a run is about to make, in order, told before the first: a platform that prepares a read in the
   * background (Shopify's bulk exports) may start each now, so one entity's export runs while the hub loads the
   * entity before it. A `read` with the same options takes over what this started.
   */
  prepareReads?(reads: { entity: EntityName; options: ReadOptions }[]): void;
  /**
   * Writes a batch (chunked to the platform's batch limit); one outcome per item, in order. Every record
   * written carries its source identity, and an item without a destinationId is matched on it before any
   * create, so calling upsert again for the same items never doubles one. A write without a definitive
   * answer is never sent again here: its items come back `unknown` (or OUTCOME_UNKNOWN is thrown).
   */
  upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]>;
  /** What `upsert` would do with a batch, found by the same lookups, writing nothing (dry runs). */
  preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]>;
  /**
   * Reads records back by destination id; missing ids are simply absent. `fields` names payload fields to
   * read too, where the platform reads only what it is asked for (an update's before-image needs them).
   */
  fetch(entity: EntityName, ids: string[], fields?: string[]): Promise<NativeRecord[]>;
  count(entity: EntityName): Promise<number | null>;
  /**
   * The ids of records the platform itself reports deleted (HubSpot's archive, Salesforce's recycle bin), at or
   * after `since` where it can tell: how a delta run finds source deletes without reading every id. Without it,
   * deletes are found by comparing the source's complete id list with the ledger.
   */
  deletedSince?(entity: EntityName, since: string): Promise<string[]>;
  /**
   * Archives records (see EntityDescriptor.archive): out of use, kept, restorable by writing their fields back.
   * One already archived or gone is no error.
   */
  archive?(entity: EntityName, ids: string[]): Promise<void>;
  delete(entity: EntityName, ids: string[]): Promise<void>;
  /** The source id of a native record, known before any mapping runs. */
  idOf(entity: EntityName, record: NativeRecord): string;
  /**
   * A record as `fetch` returns it, in the shape `upsert` writes (HubSpot: its properties flat), so the engine
   * can keep the before-image of the fields an update writes. Without it, the record as fetched is used.
   */
  writeShape?(entity: EntityName, record: NativeRecord): NativeRecord;
  /**
   * The native field paths the platform holds for an entity beyond what it sets itself (`properties.<name>`,
   * `Loyalty_Tier__c`), custom ones included: what the audit lists as unmapped when no mapping reads it.
   * Platforms whose records carry every field (REST documents) leave it out; their records' keys are used.
   */
  fieldsOf?(entity: EntityName): Promise<string[]>;
  /**
   * A platform that allows so many calls a day (Exact Online: 5,000 per division): the allowance, and what
   * reading or writing `records` records of an entity costs in calls, so a run can say beforehand how many
   * days it takes.
   */
  readonly callBudget?: {
    perDay: number;
    callsFor(entity: EntityName, records: number, role: 'read' | 'write'): number;
  };
  /**
   * The ids of a record's parts as `upsert` reports them (a product's variants by SKU), from the record as
   * `fetch` returns it: how a stale ledger row is repaired from what the destination holds now.
   */
  refsOf?(entity: EntityName, record: NativeRecord): RecordRefs | undefined;
  /** The books' figures (ERPs): what reconcile compares in accounting terms. */
  accounting?(before: string): Promise<AccountingFigures>;
}

/**
 * Where a connector keeps a secret its platform rotates (Exact Online's refresh token: each refresh returns a
 * new one and kills the one used), encrypted in the ledger and shared by every process on it. `rotate` runs
 * `renew` for a key alone, across processes where the vault can lock them: `renew` gets what is stored (or
 * undefined) and returns what to store, which is written before anyone else may renew.
 */
export interface TokenVault {
  rotate(key: string, renew: (stored: string | undefined) => Promise<string>): Promise<string>;
}

/** Paces calls to a platform across processes: resolves once `points` of the platform's budget are ours. */
export interface CallLimiter {
  /** Waits until the budget holds `points` and reserves them; answers how many were reserved. */
  acquire(points: number): Promise<number>;
  /**
   * Closes a reservation once the call is over: `actual` is what the platform charged (null when it did not
   * say, and the reservation is given back), `reportedAvailable` what it says its bucket holds now. Clients of
   * a platform that reports its costs settle every reservation, failures included.
   */
  settle(reserved: number, actual: number | null, reportedAvailable?: number): Promise<void>;
}

/**
 * A rate budget: `capacity` points refilled at `refillPerSecond` (a token bucket, Shopify's cost limit), or at
 * most `capacity` calls in any rolling `windowMs` (HubSpot's ten seconds, a web host's second).
 */
export type RateBudget =
  | { capacity: number; refillPerSecond: number; windowMs?: undefined }
  | { capacity: number; windowMs: number; refillPerSecond?: undefined };

export function newClientStats(): ClientStats {
  return { calls: 0, errors: 0, throttleWaits: 0, throttleWaitMs: 0 };
}

/** A dry run's answer: a record the destination already holds (by ledger or lookup) is updated, else created. */
export function previewOutcomes(items: LoadItem[], found: Map<string, string>): LoadOutcome[] {
  return items.map((item) => {
    const destinationId = item.destinationId ?? found.get(item.sourceId);
    return {
      sourceId: item.sourceId,
      action: destinationId ? 'updated' : 'created',
      destinationId: destinationId ?? '',
    };
  });
}
