import type { EntityName } from '../canonical/entities';
import type { PreparedMigration } from './migration.runner';

/**
 * Records per page read (the plan's batchSize, else 100, within the source's cap) and per batch handed to the
 * destination: the plan's batchSize, else the destination's cap (or the load size it asks for where records
 * bring children of their own), so small source pages fill whole batches.
 */
export function batchSizes(prepared: PreparedMigration, entity: EntityName) {
  const asked = prepared.plan.options.batchSize;
  const pageSize = Math.min(asked ?? DEFAULT_PAGE_SIZE, prepared.source.entities[entity].maxPageSize);
  const descriptor = prepared.destination.entities[entity];
  const cap = descriptor?.loadSize ?? descriptor?.batchLimit ?? 1;
  return { pageSize, batchSize: asked ?? Math.max(cap, pageSize) };
}

const DEFAULT_PAGE_SIZE = 100;
