import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { entityDefinition, entityNames, type EntityName, isEntityName } from '../canonical/entities';
import { cleaningSchema } from '../cleaning/cleaning-rules';
import { SwitchyardError } from '../common/errors';
import { rememberSecret } from '../common/secrets';
import type { RateBudget } from '../connectors/connector.port';

/**
 * A connection's rate budget where it is not the platform's documented one (a store's plan, a web host that
 * limits requests): `capacity` points refilled at `refillPerSecond` (a token bucket, Shopify's shape), or at most
 * `capacity` calls in any rolling `windowMs` (HubSpot's shape, and a host's "50 requests a second").
 */
export const rateLimitSchema = z
  .object({
    capacity: z.number().positive(),
    refillPerSecond: z.number().positive().optional(),
    windowMs: z.number().int().min(1).max(3_600_000).optional(),
  })
  .strict()
  .refine(
    (limit) => (limit.refillPerSecond === undefined) !== (limit.windowMs === undefined),
    'set refillPerSecond (points refilled a second) or windowMs (at most capacity calls in any window this long), one of the two',
  )
  .transform(({ capacity, refillPerSecond, windowMs }): RateBudget =>
    windowMs !== undefined ? { capacity, windowMs } : { capacity, refillPerSecond: refillPerSecond! },
  );

const connection = z
  .object({
    platform: z.string().min(1).max(40),
    url: z
      .string()
      .max(2000, 'must be at most 2,000 characters')
      .url({ message: 'must be a full URL such as http://127.0.0.1:4101' })
      .refine((url) => /^https?:$/.test(new URL(url).protocol), 'must be an http or https URL'),
    credentials: z
      .record(
        z.string({ invalid_type_error: 'must be text' }).max(10_000, 'must be at most 10,000 characters'),
      )
      .default({}),
    /** Calls are paced to it in this process; without it, the platform's own signals (429s, cost reports) pace them. */
    rateLimit: rateLimitSchema.optional(),
  })
  .strict();

const mappingChoice = z.union([
  z.number().int().positive(),
  z
    .object({
      version: z.number().int().positive().optional(),
      file: z.string().min(1).optional(),
      /** The mapping's YAML itself (the service's way: it never reads a file a caller names). */
      content: z.string().min(1).max(262_144, 'must be at most 256 KB').optional(),
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

/**
 * What a plan says besides its two connections. The YAML plan (CLI) and the API's migration body (which
 * names two stored connections instead) are this one schema, so anything a plan can say works in both.
 */
export const planContent = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be letters, digits, dots, dashes or underscores'),
    entities: z
      .array(z.string())
      .min(1, 'must list at least one entity')
      .superRefine((names, ctx) => {
        names.forEach((name, index) => {
          if (!isEntityName(name)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [index],
              message: `"${name}" is not an entity; use ${entityNames().join(', ')}`,
            });
          }
        });
      }),
    /** `<platform>.<type>`: a version number, `{version}` or `{file}` (relative to the plan). */
    mappings: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-]*\.[A-Za-z]+$/, 'keys look like shopify.customer'),
        mappingChoice,
      )
      .default({}),
    /** Rules that leave the destination cleaner than the source: merge duplicates, fill defaults, skip categories. */
    cleaning: cleaningSchema,
    /**
     * What a record deleted in the source does in the destination, per entity: `delete` it there, `archive` it
     * where the destination can (refused before the run where it cannot), or `ignore` it (the default).
     */
    deletes: z.record(z.string(), z.enum(['delete', 'archive', 'ignore'])).default({}),
    options: z
      .object({
        /**
         * Records per page read and per batch written. Unset: pages of 100 (or the source's cap), regrouped
         * into batches as large as the destination takes.
         */
        batchSize: z.number().int().min(1).max(250).optional(),
        concurrency: z.number().int().min(1).max(16).default(4),
        /**
         * From how many records an entity is read through the source's bulk export where it has one (Shopify
         * bulk operations: no per-page cost, one JSONL file). 0 reads every entity in bulk; unset, the
         * connector's own threshold.
         */
        bulkReadFrom: z.number().int().min(0).optional(),
        /**
         * A product whose image the destination cannot fetch (WooCommerce downloads each and refuses the
         * product): `warn` loads it without that image and lists it under warnings; `quarantine` holds the
         * record back with the reason.
         */
        unreachableImages: z.enum(['warn', 'quarantine']).default('warn'),
        /**
         * A text longer than the destination's field takes (a 300-character name where Salesforce takes 255):
         * `quarantine` holds the record back naming the field (the default); `truncate` loads it cut to the
         * field's length and lists the cut under warnings.
         */
        overLongText: z.enum(['quarantine', 'truncate']).default('quarantine'),
        dryRun: z.boolean().default(false),
        /** Source deletes above this share of an entity's loaded records stop the run before any is made. */
        deleteLimitPercent: z.number().min(0).max(100).default(10),
        /** A delta run reads again this many minutes before the last completed run's high-water mark. */
        deltaOverlapMinutes: z.number().min(0).max(1440).default(5),
        /**
         * ERP switches: the day the new administration starts. Opening balances and open items are the books
         * as they stand at its start: everything the source booked before it.
         */
        cutoffDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-07-01')
          .refine((date) => {
            // V8 reads 2026-02-30 as 2 March: a date is real only if it reads back as itself.
            const ms = Date.parse(`${date}T00:00:00Z`);
            return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(date);
          }, 'is not a calendar date')
          .optional(),
        /**
         * The destination's ledger account the opening entries and open items are booked against (a
         * transitional "opening balance" account): it ends at zero once both are in.
         */
        openingBalanceAccount: z.string().trim().min(1).max(16).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type PlanContent = z.infer<typeof planContent>;

const planShape = planContent.extend({ source: connection, destination: connection }).strict();

export const planSchema = planShape.superRefine(refuseContradictions);

/**
 * What each field can be on its own is the schema's job; here, what the fields together cannot be: an
 * entity named twice, rules or mappings for entities the plan does not move, a store copied into itself.
 */
function refuseContradictions(plan: z.infer<typeof planShape>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
  plan.entities.forEach((name, index) => {
    if (plan.entities.indexOf(name) !== index) issue(['entities', index], `"${name}" is listed twice`);
  });
  const moved = plan.entities.filter(isEntityName);
  for (const entity of Object.keys(plan.cleaning ?? {}))
    if (isEntityName(entity) && !moved.includes(entity))
      issue(
        ['cleaning', entity],
        `the plan does not move ${entity}; add it to entities or remove these rules`,
      );
  for (const entity of Object.keys(plan.deletes)) {
    if (!moved.includes(entity))
      issue(['deletes', entity], `the plan does not move ${entity}; add it to entities or remove it here`);
  }
  for (const entity of moved.filter((name) => entityDefinition(name).atCutoff)) {
    if (!plan.options.cutoffDate)
      issue(
        ['options', 'cutoffDate'],
        `${entity} are the books at a cut-off date: set options.cutoffDate (the day the destination takes over, e.g. 2026-07-01)`,
      );
    if (!plan.options.openingBalanceAccount)
      issue(
        ['options', 'openingBalanceAccount'],
        `${entity} are booked in the destination against a transitional account: set options.openingBalanceAccount to its number there`,
      );
  }
  const types = new Set<string>(moved.map((entity) => entityDefinition(entity).type));
  const platforms = new Set([plan.source.platform, plan.destination.platform]);
  for (const key of Object.keys(plan.mappings)) {
    const [platform, type] = key.split('.');
    if (!platforms.has(platform))
      issue(['mappings', key], `${platform} is neither the source nor the destination platform`);
    else if (!types.has(type))
      issue(
        ['mappings', key],
        `the plan moves no ${type} records (its entities are ${moved.map((e) => entityDefinition(e).type).join(', ')})`,
      );
  }
  if (sameAccount(plan.source, plan.destination))
    issue(
      ['destination'],
      'the destination is the source itself (same platform, URL and credentials): the run would copy the records into the account they come from, again and again; point the destination at another account',
    );
}

/** Two connections to one account: same platform and URL, and the same credentials. */
function sameAccount(a: z.infer<typeof connection>, b: z.infer<typeof connection>): boolean {
  if (a.platform !== b.platform || normalUrl(a.url) !== normalUrl(b.url)) return false;
  const keys = new Set([...Object.keys(a.credentials), ...Object.keys(b.credentials)]);
  return [...keys].every((key) => a.credentials[key] === b.credentials[key]);
}

function normalUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}

export type MigrationPlan = z.infer<typeof planSchema> & { entities: EntityName[]; baseDir: string };

/**
 * Replaces `${VAR}` in every text value of a parsed plan with the environment's value; a missing variable
 * is a plan error, never an empty secret. Values go in after parsing, so a secret holding quotes or line
 * breaks can neither break the YAML nor appear in a parse error; each one is remembered for redaction.
 */
export function interpolateEnv(raw: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  const missing = new Set<string>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
        const found = env[name];
        if (found === undefined) missing.add(name);
        else rememberSecret(found);
        return found ?? '';
      });
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  const result = walk(raw);
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
  for (const side of [parsed.data.source, parsed.data.destination])
    for (const value of Object.values(side.credentials)) rememberSecret(value);
  return {
    ...parsed.data,
    entities: parsed.data.entities,
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
    raw = parse(text);
  } catch (error) {
    throw new SwitchyardError('PLAN_INVALID', `plan ${path} is not valid YAML: ${(error as Error).message}`);
  }
  return parsePlan(interpolateEnv(raw, env), dirname(resolve(path)));
}
