import type { JobsOptions } from 'bullmq';

export const ENTITY_QUEUE = 'entity-runs';
export const ENTITY_JOB = 'run-entity';

export interface EntityJobData {
  runId: string;
  entity: string;
}

/** Deterministic: enqueuing an entity twice while its job exists adds nothing. */
export const entityJobId = (runId: string, entity: string) => `${runId}.${entity}`;

/**
 * Explicit queue defaults: five attempts with exponential backoff for platform outages; a completed job is
 * removed (the ledger keeps the record), a failed one is kept for Bull Board.
 */
export const ENTITY_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};
