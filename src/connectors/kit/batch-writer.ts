import type { RecordRefs } from '../../ledger/ledger.entities';
import { errorMessage, isOutcomeUnknown, SwitchyardError } from '../../common/errors';
import type { LoadItem, LoadOutcome, WrittenPart } from '../connector.port';

/** A record the destination holds for an item, or why the item cannot be written (its key is another's). */
export type Found = { id: string } | { error: string };

/** The platform's answer for one item of a write call. */
export type ItemAnswer =
  | {
      id: string;
      /** What the write did, where the platform says (an upsert): else what was asked. */
      action?: 'created' | 'updated';
      parts?: WrittenPart[];
      refs?: RecordRefs;
      /** What loaded differently from the payload (an image the platform could not fetch, left out). */
      warning?: string;
    }
  | {
      error: string;
      /** The platform's own refusal body, for `afterRefusal`. */
      details?: unknown;
      /**
       * `exists`: a create refused because the record is there (made since it was matched): match again and
       * update. `gone`: an update of a record deleted since: create it again. `alone`: the call gave this item
       * no answer of its own (a partial batch): send it again by itself.
       */
      refusal?: 'exists' | 'gone' | 'alone';
    };

type Operation = 'create' | 'update' | 'upsert';
export interface Addressed {
  item: LoadItem;
  /** The destination id an update writes to. */
  id?: string;
}

/**
 * What a connector declares to write an entity; `writeBatch` does the rest. Either `upsert` (the platform
 * matches on the source identity itself: HubSpot's idProperty), or `match` + `create` + `update`. Each call
 * gets at most `cap` items and answers one per item, in order; a call refused as a whole (PLATFORM_REJECTED)
 * is sent again one item at a time so each record gets its own reason; a call whose answer is lost
 * (OUTCOME_UNKNOWN) is never sent again: its items come back `unknown`.
 */
export interface BatchTarget {
  /** Most records one write call takes (1 where the platform has no batch). */
  cap: number;
  /**
   * The record the destination already holds for each item without a destination id, in order: by the
   * source identity written into it, then by natural key. Never skipped: the ledger may be new, lost, or
   * behind a write whose reply never came.
   */
  match?(items: LoadItem[]): Promise<(Found | undefined)[]>;
  create?(items: LoadItem[]): Promise<ItemAnswer[]>;
  update?(entries: Required<Addressed>[]): Promise<ItemAnswer[]>;
  upsert?(items: LoadItem[]): Promise<ItemAnswer[]>;
  /** Before a refused item is written once more (`exists` / `gone`): learn what changed in the destination. */
  relearn?(entries: Addressed[], refusal: 'exists' | 'gone'): Promise<void>;
  /** An answer was lost: whatever the target cached about the destination may be behind. */
  stale?(): void;
  /** One item refused on its own: a last word (adopt the contact holding its email), else the refusal stands. */
  afterRefusal?(item: LoadItem, answer: Extract<ItemAnswer, { error: string }>): Promise<ItemAnswer>;
}

/** Writes items through a target: one outcome per item, in order. */
export async function writeBatch(target: BatchTarget, items: LoadItem[]): Promise<LoadOutcome[]> {
  const outcomes: LoadOutcome[] = [];
  for (let start = 0; start < items.length; start += target.cap)
    outcomes.push(...(await writeChunk(target, items.slice(start, start + target.cap), false)));
  return outcomes;
}

/** What a write would do, by the same matching, writing nothing (dry runs). */
export async function previewBatch(target: BatchTarget, items: LoadItem[]): Promise<LoadOutcome[]> {
  const found = target.match ? await matchAll(target, items) : items.map(() => undefined);
  return items.map((item, index) => {
    const match = found[index];
    if (match && 'error' in match) return { sourceId: item.sourceId, action: 'failed', error: match.error };
    const id = item.destinationId ?? match?.id;
    return { sourceId: item.sourceId, action: id ? 'updated' : 'created', destinationId: id ?? '' };
  });
}

async function matchAll(target: BatchTarget, items: LoadItem[]): Promise<(Found | undefined)[]> {
  const unknown = items.filter((item) => !item.destinationId);
  const found = unknown.length > 0 ? await target.match!(unknown) : [];
  const bySource = new Map(unknown.map((item, index) => [item, found[index]]));
  return items.map((item) => (item.destinationId ? { id: item.destinationId } : bySource.get(item)));
}

async function writeChunk(target: BatchTarget, items: LoadItem[], retrying: boolean): Promise<LoadOutcome[]> {
  const outcomes = new Map<LoadItem, LoadOutcome>();
  const again: { exists: Addressed[]; gone: Addressed[] } = { exists: [], gone: [] };
  const groups: Record<Operation, Addressed[]> = { create: [], update: [], upsert: [] };
  if (target.upsert) groups.upsert = items.map((item) => ({ item }));
  else {
    const found = await matchAll(target, items);
    items.forEach((item, index) => {
      const match = found[index];
      if (match && 'error' in match) outcomes.set(item, failed(item, match.error));
      else if (match) groups.update.push({ item, id: match.id });
      else groups.create.push({ item });
    });
  }
  for (const operation of ['create', 'update', 'upsert'] as const) {
    const entries = groups[operation];
    if (entries.length === 0) continue;
    let answers: ItemAnswer[];
    try {
      answers = await sendAlone(target, operation, entries);
    } catch (error) {
      if (!isOutcomeUnknown(error)) throw error;
      target.stale?.();
      const attempted = operation === 'upsert' ? undefined : operation;
      for (const { item } of entries)
        outcomes.set(item, {
          sourceId: item.sourceId,
          action: 'unknown',
          error: error.message,
          ...(attempted ? { attempted } : {}),
        });
      continue;
    }
    for (const [index, entry] of entries.entries()) {
      let answer = answers[index];
      if ('error' in answer && !retrying && answer.refusal === 'exists' && operation === 'create') {
        again.exists.push(entry);
        continue;
      }
      if ('error' in answer && !retrying && answer.refusal === 'gone' && operation === 'update') {
        again.gone.push(entry);
        continue;
      }
      if ('error' in answer && target.afterRefusal) answer = await target.afterRefusal(entry.item, answer);
      outcomes.set(entry.item, outcomeOf(entry.item, operation, answer));
    }
  }
  for (const refusal of ['exists', 'gone'] as const) {
    const entries = again[refusal];
    if (entries.length === 0) continue;
    // The destination changed under the match (a record made elsewhere, or deleted, since): learn what
    // changed, then write each once more.
    await target.relearn?.(entries, refusal);
    const retried = await writeChunk(
      target,
      entries.map(({ item }) => (refusal === 'gone' ? { ...item, destinationId: undefined } : item)),
      true,
    );
    entries.forEach(({ item }, index) => outcomes.set(item, retried[index]));
  }
  return items.map((item) => outcomes.get(item)!);
}

/**
 * One call for the entries; a call refused as a whole, or items it gave no answer of their own, are sent
 * again one at a time.
 */
async function sendAlone(
  target: BatchTarget,
  operation: Operation,
  entries: Addressed[],
): Promise<ItemAnswer[]> {
  let answers: ItemAnswer[];
  try {
    answers = await send(target, operation, entries);
  } catch (error) {
    if (!(error instanceof SwitchyardError) || error.code !== 'PLATFORM_REJECTED') throw error;
    if (entries.length === 1) return [{ error: errorMessage(error), details: error.details }];
    answers = entries.map(() => ({ error: '', refusal: 'alone' as const }));
  }
  if (answers.length !== entries.length)
    throw new SwitchyardError(
      'OUTCOME_UNKNOWN',
      `the ${operation} call answered ${answers.length} results for ${entries.length} records`,
    );
  if (entries.length === 1) return answers;
  // One at a time, in order: a platform that refused a batch is not then sent a burst.
  for (const [index, answer] of answers.entries())
    if ('error' in answer && answer.refusal === 'alone')
      answers[index] = (await sendAlone(target, operation, [entries[index]]))[0];
  return answers;
}

function send(target: BatchTarget, operation: Operation, entries: Addressed[]): Promise<ItemAnswer[]> {
  switch (operation) {
    case 'create':
      return target.create!(entries.map(({ item }) => item));
    case 'update':
      return target.update!(entries as Required<Addressed>[]);
    case 'upsert':
      return target.upsert!(entries.map(({ item }) => item));
  }
}

function outcomeOf(item: LoadItem, operation: Operation, answer: ItemAnswer): LoadOutcome {
  if ('error' in answer) return failed(item, answer.error || 'refused with no reason given');
  return {
    sourceId: item.sourceId,
    action: answer.action ?? (operation === 'update' ? 'updated' : 'created'),
    destinationId: answer.id,
    ...(answer.parts ? { parts: answer.parts } : {}),
    ...(answer.refs ? { refs: answer.refs } : {}),
    ...(answer.warning ? { warning: answer.warning } : {}),
  };
}

function failed(item: LoadItem, error: string): LoadOutcome {
  return { sourceId: item.sourceId, action: 'failed', error };
}
