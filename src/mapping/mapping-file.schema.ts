import { z } from 'zod';
import { canonicalTypes, isCanonicalType } from '../canonical/entities';

/**
 * The shape of a mapping file, `mappings/<platform>/<entity>.v<N>.yaml`. A field is either a plain
 * path (`email`) or a spec: `path` or `expr` (JSONata) or `value`, then `map` (value map, `'*'` for
 * anything else), then `default`, then `ref` (turns the value into a reference to another entity).
 * `each` maps every element of a list through nested `fields`.
 */
export interface FieldSpec {
  path?: string;
  expr?: string;
  value?: unknown;
  map?: Record<string, unknown>;
  default?: unknown;
  /** Any canonical type in the registry (`customer`, `contact`, …). */
  ref?: string;
  /** For references to one variant of a record: where its SKU is, relative to the same input. */
  sku?: string;
  each?: string;
  fields?: Record<string, FieldSpec | string>;
}

const fieldSpec: z.ZodType<FieldSpec | string> = z.lazy(() =>
  z.union([
    z.string().min(1),
    z
      .object({
        path: z.string().min(1).optional(),
        expr: z.string().min(1).optional(),
        value: z.unknown().optional(),
        map: z.record(z.unknown()).optional(),
        default: z.unknown().optional(),
        ref: z
          .string()
          .refine(isCanonicalType, () => ({
            message: `is not a canonical entity type; use one of ${canonicalTypes().join(', ')}`,
          }))
          .optional(),
        sku: z.string().optional(),
        each: z.string().min(1).optional(),
        fields: z.record(fieldSpec).optional(),
      })
      .strict()
      .refine(
        (spec) => [spec.path, spec.expr, spec.value, spec.each].filter((v) => v !== undefined).length <= 1,
        {
          message: 'use only one of path, expr, value and each',
        },
      )
      .refine((spec) => (spec.each === undefined) === (spec.fields === undefined), {
        message: 'each and fields go together',
      }),
  ]),
);

const direction = z
  .object({
    fields: z.record(fieldSpec),
    /** Source fields that are consumed by expressions and so are not "extra". */
    consumes: z.array(z.string()).default([]),
  })
  .strict();

/**
 * Outbound, a record's own `fields`, and declared apart from them what the writer makes besides the record:
 * `children`, collections written as records of their own (a deal's line items, a product's variations),
 * each a list; and `links`, the records it is linked to, destination ids by the linked object type.
 */
const outboundDirection = direction
  .extend({
    children: z.record(fieldSpec).default({}),
    links: z.record(fieldSpec).default({}),
  })
  .strict();

export const mappingFileSchema = z
  .object({
    mapping: z.string().regex(/^[a-z0-9][a-z0-9-]*\.[A-Za-z]+$/, 'must look like <platform>.<entity>'),
    version: z.number().int().positive(),
    description: z.string().optional(),
    inbound: direction,
    outbound: outboundDirection,
    /** Canonical fields this platform cannot hold; reported as known losses, not as differences. */
    knownLosses: z.array(z.object({ field: z.string(), reason: z.string() }).strict()).default([]),
  })
  .strict();

export type MappingFile = z.infer<typeof mappingFileSchema>;
