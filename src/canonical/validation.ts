import { z } from 'zod';

/** Turns zod issues into one sentence a merchant can act on: the field, its value, and what is wrong. */
export function describeIssues(error: z.ZodError, record: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const value = valueAt(record, issue.path);
      const shown = value === undefined ? '' : ` (${JSON.stringify(value)})`;
      const message = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
      return `${path || 'record'}${shown} ${message}`;
    })
    .join('; ');
}

function valueAt(record: unknown, path: (string | number)[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (current == null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return typeof current === 'object' ? undefined : current;
}
