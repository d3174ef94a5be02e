import { z } from 'zod';
import { ENTITY_NAMES } from '../../canonical/entities';
import { cleaningSchema } from '../../cleaning/cleaning-rules';

const entity = z.enum(ENTITY_NAMES as [string, ...string[]], {
  errorMap: () => ({ message: `must be one of ${ENTITY_NAMES.join(', ')}` }),
});
const uuid = z.string().uuid('must be an id returned by this API');

export const connectionBody = z
  .object({
    name: z.string().min(1, 'is required').max(200),
    platform: z.string().min(1, 'is required').max(40),
    url: z.string().max(400).url('must be a full URL such as https://shop.example.com'),
    credentials: z.record(z.string({ invalid_type_error: 'values must be text' }).max(10_000)),
    /** The store plan's rate budget, when it differs from the platform's documented default. */
    rateLimit: z
      .object({ capacity: z.number().positive(), refillPerSecond: z.number().positive() })
      .strict()
      .optional(),
  })
  .strict();

export const migrationBody = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be letters, digits, dots, dashes or underscores'),
    sourceConnectionId: uuid,
    destinationConnectionId: uuid,
    entities: z.array(entity).min(1, 'must list at least one entity'),
    /** A version, or `{content}`: a custom mapping's YAML, uploaded; the service reads no file a caller names. */
    mappings: z
      .record(
        z.union([
          z.number().int().positive(),
          z
            .object({
              version: z.number().int().positive().optional(),
              content: z.string().min(1).max(262_144, 'must be at most 256 KB').optional(),
              file: z
                .any()
                .refine(() => false, {
                  message:
                    'the service reads no file a caller names; send the mapping YAML itself as content',
                })
                .optional(),
            })
            .strict(),
        ]),
      )
      .optional(),
    /** Same as a plan's `cleaning:` section: merge duplicates, fill defaults, skip categories. */
    cleaning: cleaningSchema.optional(),
    options: z
      .object({
        batchSize: z.number().int().min(1).max(250).optional(),
        concurrency: z.number().int().min(1).max(16).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const runBody = z
  .object({
    entities: z.array(entity).min(1).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

export const ledgerQuery = z.object({
  entity: entity.optional(),
  status: z.enum(['pending', 'loaded', 'quarantined', 'failed', 'skipped', 'merged']).optional(),
  sourceId: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const predictionQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
