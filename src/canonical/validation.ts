import { z } from 'zod/v4';

/** Turns zod issues into one sentence a merchant can act on: the field, its value, and what is wrong. */
export function describeIssues(error: z.ZodError, record: unknown): string {
  return error.issues
    .map((issue) => {
      const at = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
      const path = at.join('.') || 'record';
      const value = valueAt(record, at);
      const shown = value === undefined ? '' : ` (${JSON.stringify(value)})`;
      const message = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
      return `${where(record, at) ?? path ?? 'record'}${shown} ${message}`;
    })
    .join('; ');
}

function walk(record: unknown, path: (string | number)[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (current == null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The offending value, when it is a scalar worth quoting. */
function valueAt(record: unknown, path: (string | number)[]): unknown {
  const value = walk(record, path);
  return typeof value === 'object' ? undefined : value;
}

/**
 * Names list items the way a merchant knows them: `variants.0.price.amount` becomes
 * `variant SKU HOOD-S: price.amount`, `lines.2.quantity` becomes `line 3 (SKU MUG-1): quantity`.
 */
function where(record: unknown, path: (string | number)[]): string | undefined {
  const [list, index, ...rest] = path;
  if (typeof index !== 'number' || (list !== 'variants' && list !== 'lines')) return undefined;
  const sku = walk(record, [list, index, 'sku']);
  const label = typeof sku === 'string' && sku !== '' ? sku : undefined;
  const field = rest.join('.') || 'item';
  if (list === 'variants') return label ? `variant SKU ${label}: ${field}` : `variant ${index + 1}: ${field}`;
  return `line ${index + 1}${label ? ` (SKU ${label})` : ''}: ${field}`;
}
