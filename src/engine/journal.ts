import type { EntityName } from '../canonical/entities';
import type { Connector, LoadItem, LoadOutcome, NativeRecord } from '../connectors/connector.port';
import type { JournalDraft } from '../ledger/ledger.repository';
import type { EntityJob } from './entity.pipeline';

/**
 * The fields each update is about to write, as the destination holds them now, by destination id: read back
 * for the records the ledger already places there. A record the connector finds by itself (a lost ledger)
 * is journaled as updated without one.
 */
export async function beforeImages(
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
    images.set(item.destinationId!, imageOf(job.destination, job.entity, record, Object.keys(item.payload)));
  }
  return images;
}

/**
 * `fields` of a record as the destination returned it, in the shape its writes take. A field the platform
 * does not return (write-only, like WooCommerce's `set_paid`) is left out: there is nothing to compare or restore.
 */
export function imageOf(
  destination: Connector,
  entity: EntityName,
  record: NativeRecord,
  fields: string[],
): Record<string, unknown> {
  const shaped = destination.writeShape?.(entity, record) ?? record;
  return Object.fromEntries(fields.filter((field) => field in shaped).map((field) => [field, shaped[field]]));
}

/** The journal entry of one loaded record: the record itself, with the children and links written with it. */
export function journalOf(
  job: EntityJob,
  outcome: Extract<LoadOutcome, { action: 'created' | 'updated' }>,
  before: Record<string, unknown> | undefined,
  item: LoadItem,
): JournalDraft {
  return {
    sourceId: outcome.sourceId,
    part: 'record',
    object: job.entity,
    destinationId: outcome.destinationId,
    action: outcome.action,
    before: outcome.action === 'updated' ? (before ?? null) : null,
    after: item.payload,
    related: item.links || item.children ? { links: item.links, children: item.children } : null,
    link: null,
    parts: outcome.parts?.length ? outcome.parts : null,
  };
}
