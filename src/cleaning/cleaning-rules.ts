import { z } from 'zod';
import { z as z4 } from 'zod/v4';
import { entityDefinition, type EntityName, isEntityName } from '../canonical/entities';

/**
 * A plan's `cleaning:` section, per plan entity, applied to canonical records so the destination ends
 * cleaner than the source:
 *
 *   cleaning:
 *     customers:
 *       merge: { on: email }                      # one record per email; the others' links go to it
 *       defaults: { "addresses[].country": NL }   # fill a missing value
 *       skip: [{ field: tags, in: [test] }]       # leave a category behind
 *
 * Fields are canonical paths: dots between fields, `[]` for every element of a list.
 */
const fieldPath = z
  .string()
  .regex(/^[A-Za-z]+(\[\])?(\.[A-Za-z]+(\[\])?)*$/, 'looks like email or addresses[].country');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const skipRule = z
  .object({ field: fieldPath, equals: scalar.optional(), in: z.array(scalar).min(1).optional() })
  .strict()
  .refine((rule) => (rule.equals === undefined) !== (rule.in === undefined), {
    message: 'give exactly one of equals or in',
  });
export type SkipRule = z.infer<typeof skipRule>;

const entityRules = z
  .object({
    merge: z
      .object({
        on: fieldPath.refine((path) => !path.includes('[]'), 'must be a single field, not a list'),
      })
      .strict()
      .optional(),
    defaults: z.record(fieldPath, scalar).optional(),
    skip: z.array(skipRule).optional(),
  })
  .strict();
export type EntityCleaningRules = z.infer<typeof entityRules>;

export const cleaningSchema = z
  .record(z.string(), entityRules)
  .default({})
  .superRefine((rules, ctx) => {
    for (const [entity, entityRule] of Object.entries(rules)) {
      if (!isEntityName(entity)) {
        ctx.addIssue({ code: 'custom', path: [entity], message: `"${entity}" is not an entity` });
        continue;
      }
      const fields: [string[], string][] = [
        ...(entityRule.merge ? [[['merge', 'on'], entityRule.merge.on] as [string[], string]] : []),
        ...Object.keys(entityRule.defaults ?? {}).map((path): [string[], string] => [
          ['defaults', path],
          path,
        ]),
        ...(entityRule.skip ?? []).map((rule, i): [string[], string] => [
          ['skip', String(i), 'field'],
          rule.field,
        ]),
      ];
      for (const [at, path] of fields) {
        if (!canonicalFieldExists(entityDefinition(entity).schema, path)) {
          ctx.addIssue({
            code: 'custom',
            path: [entity, ...at],
            message: `${path} is not a field of the canonical ${entityDefinition(entity).type}`,
          });
        }
      }
    }
  });
export type CleaningRules = Record<EntityName, EntityCleaningRules>;

/** Walks a canonical schema (zod 4, see canonical/common) along a field path: a typo in a plan is refused before anything runs. */
function canonicalFieldExists(schema: z4.ZodType, path: string): boolean {
  let at: z4.ZodType | undefined = schema;
  for (const segment of path.split('.')) {
    const list = segment.endsWith('[]');
    at = unwrap(at);
    if (!(at instanceof z4.ZodObject)) return false;
    at = (at.shape as Record<string, z4.ZodType>)[list ? segment.slice(0, -2) : segment];
    if (!at) return false;
    if (list) {
      at = unwrap(at);
      if (!(at instanceof z4.ZodArray)) return false;
      at = at.element as z4.ZodType;
    }
  }
  return true;
}

function unwrap(schema: z4.ZodType): z4.ZodType {
  let at = schema;
  for (;;) {
    if (at instanceof z4.ZodOptional || at instanceof z4.ZodNullable || at instanceof z4.ZodDefault)
      at = at.unwrap() as z4.ZodType;
    else return at;
  }
}
