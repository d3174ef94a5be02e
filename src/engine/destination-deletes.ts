import type { EntityName } from '../canonical/entities';
import { errorMessage, SwitchyardError } from '../common/errors';
import type { Connector } from '../connectors/connector.port';

/** Why one record was not deleted: `refused` by the platform's own rule (trying again changes nothing), or not. */
export interface DeleteRefusal {
  refused: boolean;
  reason: string;
}

/**
 * Deletes in one call; when that fails, the records still there are deleted one by one, so each gets its own
 * answer (one already gone is deleted). A refusal is the platform's rule at work, such as Shopify keeping a
 * customer who has placed orders; anything else (a lost reply, an outage) is worth trying again. Returns the
 * records not deleted, by destination id.
 */
export async function deleteEach(
  destination: Connector,
  entity: EntityName,
  ids: string[],
): Promise<Map<string, DeleteRefusal>> {
  const answers = new Map<string, DeleteRefusal>();
  const failed = await destination.delete(entity, ids).then(
    () => false,
    () => true,
  );
  if (!failed) return answers;
  const left = (await destination.fetch(entity, ids)).map((record) => destination.idOf(entity, record));
  for (const id of left)
    await destination.delete(entity, [id]).catch((error: unknown) => {
      const refused = error instanceof SwitchyardError && error.code === 'PLATFORM_REJECTED';
      answers.set(id, {
        refused,
        reason: refused
          ? `${destination.platform} refused to delete it: ${errorMessage(error)}`
          : errorMessage(error),
      });
    });
  return answers;
}
