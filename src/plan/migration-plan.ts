import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ENTITY_NAMES, type EntityName, isEntityName } from '../canonical/entities';
import { cleaningSchema } from '../cleaning/cleaning-rules';
import { SwitchyardError } from '../common/errors';

const connection = z
  .object({
    platform: z.string().min(1),
    url: z.string().url({ message: 'must be a full URL such as http://127.0.0.1:4101' }),
    credentials: z.record(z.string({ invalid_type_error: 'must be text' })).default({}),
  })
  .strict();

const mappingChoice = z.union([
  z.number().int().positive(),
  z
    .object({
      version: z.number().int().positive().optional(),
      file: z.string().min(1).optional(),
      /** `inbound.<field>` / `outbound.<field>` → values that extend or replace that field's value map. */
      valueMaps: z
        .record(
          z.string().regex(/^(inbound|outbound)\.[A-Za-z0-9_]+$/, 'keys look like outbound.dealstage'),
          z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])),
        )
        .optional(),
    })
    .strict(),
]);

export const planSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be letters, digits, dots, dashes or underscores'),
    source: connection,
    destination: connection,
    entities: z
      .array(z.string())
      .min(1, 'must list at least one entity')
      .superRefine((names, ctx) => {
        for (const name of names) {
          if (!isEntityName(name)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              message: `"${name}" is not an entity; use ${ENTITY_NAMES.join(', ')}`,
            });
          }
        }
      }),
    /** `<platform>.<type>`: a version number, `{version}` or `{file}` (relative to the plan). */
    mappings: z
      .record(z.string().regex(/^[a-z0-9]+\.[a-z]+$/, 'keys look like shopify.customer'), mappingChoice)
      .default({}),
    /** Rules that leave the destination cleaner than the source: merge duplicates, fill defaults, skip categories. */
    cleaning: cleaningSchema,
    options: z
      .object({
        batchSize: z.number().int().min(1).max(250).default(100),
        concurrency: z.number().int().min(1).max(16).default(4),
        dryRun: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict();

export type MigrationPlan = z.infer<typeof planSchema> & { entities: EntityName[]; baseDir: string };

/** Replaces `${VAR}` with the environment's value; a missing variable is a plan error, never an empty secret. */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const missing = new Set<string>();
  const result = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) {
    throw new SwitchyardError(
      'PLAN_INVALID',
      `the plan uses environment variables that are not set: ${[...missing].join(', ')}`,
    );
  }
  return result;
}

export function parsePlan(raw: unknown, baseDir: string): MigrationPlan {
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || 'plan'}: ${issue.message}`,
    );
    throw new SwitchyardError('PLAN_INVALID', `the plan is invalid:\n${problems.join('\n')}`);
  }
  return {
    ...parsed.data,
    entities: parsed.data.entities as EntityName[],
    baseDir,
  };
}

export function loadPlanFile(path: string, env: NodeJS.ProcessEnv = process.env): MigrationPlan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SwitchyardError('PLAN_INVALID', `cannot read plan file ${path}`);
  }
  let raw: unknown;
  try {
    raw = parse(interpolateEnv(text, env));
  } catch (error) {
    if (error instanceof SwitchyardError) throw error;
    throw new SwitchyardError('PLAN_INVALID', `plan ${path} is not valid YAML: ${(error as Error).message}`);
  }
  return parsePlan(raw, dirname(resolve(path)));
}
