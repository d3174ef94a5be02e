import type { EntityName } from '../canonical/entities';
import type { Connector, LoadItem, LoadOutcome } from '../connectors/connector.port';
import { isOutcomeUnknown, SwitchyardError } from '../common/errors';

export type ConfirmedOutcome = Exclude<LoadOutcome, { action: 'unknown' }>;

/** How often a write without a definitive answer is looked up and tried again before the run stops. */
export const UNKNOWN_ROUNDS = 6;
const ROUND_WAIT_MS = [250, 500, 1000, 2000, 4000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Loads a batch until every record has a definitive outcome. A write whose answer was lost (reset, 5xx,
 * unreadable reply) may have been saved: its items go back to the connector, which matches each on its
 * source identity before writing again, so a lost reply is adopted, never doubled. A record whose lost
 * write was a create (or that an attempt which crashed was loading, `unconfirmed`) and that is then found
 * counts as created; one that was found and updated all along stays updated.
 *
 * If the destination still gives no answer after UNKNOWN_ROUNDS, the run stops (exit 1): the records stay
 * pending in the ledger, and the resumed run looks them up the same way.
 */
export async function loadConfirmed(
  destination: Connector,
  entity: EntityName,
  items: LoadItem[],
  unconfirmed: ReadonlySet<LoadItem>,
  wait: (ms: number) => Promise<unknown> = sleep,
): Promise<ConfirmedOutcome[]> {
  const outcomes = new Map<LoadItem, ConfirmedOutcome>();
  const lostCreate = new Set<LoadItem>();
  let open = items;
  let lastError = '';
  for (let round = 0; round < UNKNOWN_ROUNDS && open.length > 0; round++) {
    if (round > 0) await wait(ROUND_WAIT_MS[Math.min(round - 1, ROUND_WAIT_MS.length - 1)]);
    const sent = new Date().toISOString();
    const answers = await upsertOrUnknown(destination, entity, open);
    const next: LoadItem[] = [];
    answers.forEach((answer, index) => {
      const item = open[index];
      if (!answer || answer.action === 'unknown') {
        lastError = answer?.error ?? 'the destination gave no outcome for the record';
        if (answer?.attempted === 'create') lostCreate.add(item);
        item.maybeWrittenSince ??= sent;
        next.push(item);
        return;
      }
      const adopted =
        answer.action === 'updated' && !item.destinationId && (lostCreate.has(item) || unconfirmed.has(item));
      outcomes.set(item, adopted ? { ...answer, action: 'created' } : answer);
    });
    open = next;
  }
  if (open.length > 0) {
    throw new SwitchyardError(
      'PLATFORM_TEMPORARY',
      `the ${destination.platform} destination did not confirm ${open.length} ${entity} write(s) after ${UNKNOWN_ROUNDS} attempts (${lastError}); nothing was doubled: run again to look them up and finish`,
    );
  }
  return items.map((item) => outcomes.get(item)!);
}

async function upsertOrUnknown(
  destination: Connector,
  entity: EntityName,
  items: LoadItem[],
): Promise<(LoadOutcome | undefined)[]> {
  try {
    return await destination.upsert(entity, items);
  } catch (error) {
    if (isOutcomeUnknown(error))
      return items.map((item) => ({
        sourceId: item.sourceId,
        action: 'unknown' as const,
        error: error.message,
      }));
    throw error;
  }
}
