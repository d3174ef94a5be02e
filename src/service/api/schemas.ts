import { z } from 'zod';
import { entityNames, isEntityName } from '../../canonical/entities';
import { planContent, rateLimitSchema } from '../../plan/migration-plan';

const entity = z
  .string()
  .refine(isEntityName, () => ({ message: `must be one of ${entityNames().join(', ')}` }));
const uuid = z.string().uuid('must be an id returned by this API');

export const connectionBody = z
  .object({
    name: z.string().min(1, 'is required').max(200),
    platform: z.string().min(1, 'is required').max(40),
    url: z.string().max(400).url('must be a full URL such as https://shop.example.com'),
    credentials: z.record(z.string({ invalid_type_error: 'values must be text' }).max(10_000)),
    /** The store plan's rate budget, when it differs from the platform's documented default. */
    rateLimit: rateLimitSchema.optional(),
  })
  .strict();

/** A plan (see src/plan/migration-plan.ts) whose two connections are stored ones, named by id. */
export const migrationBody = planContent
  .extend({ sourceConnectionId: uuid, destinationConnectionId: uuid })
  .strict();

export const runBody = z
  .object({
    entities: z.array(entity).min(1).optional(),
    dryRun: z.boolean().optional(),
    /**
     * `delta`: only what the source changed since the last completed run (less the plan's overlap); `repair`:
     * only what reconcile finds missing or different in the destination, written again.
     */
    kind: z.enum(['full', 'delta', 'repair']).optional(),
  })
  .strict();

export const rollbackBody = z
  .object({
    /** List what would be reversed, kept or fail, reading the destination; write nothing. */
    dryRun: z.boolean().optional(),
    /** Undo records changed in the destination since the run too, instead of keeping them. */
    force: z.boolean().optional(),
  })
  .strict();

export const cutoverBody = z
  .object({
    /** The operator's confirmation of the step that waits for it. */
    confirm: z.enum(['freeze', 'switch']).optional(),
    /** Start a new cutover after a completed one. */
    again: z.boolean().optional(),
    /** How long the watch step runs deltas from the old system; 0: one delta. */
    watchMinutes: z.number().int().min(0).max(1440).optional(),
  })
  .strict();

export const ledgerQuery = z.object({
  entity: entity.optional(),
  status: z.enum(['pending', 'loaded', 'quarantined', 'failed', 'skipped', 'merged', 'deleted']).optional(),
  sourceId: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const predictionQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
