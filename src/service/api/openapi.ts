import { zodToJsonSchema } from 'zod-to-json-schema';
import type { z } from 'zod';

/** The JSON Schema of a zod schema, for @ApiBody: the docs describe exactly what the pipe accepts. */
export const jsonSchema = (schema: z.ZodTypeAny) =>
  zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' }) as Record<string, unknown>;
