/** A JSON scalar as text (numbers and booleans too); objects become JSON, null/undefined/'' the fallback. */
export function scalarText(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value === '' ? fallback : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return fallback;
  return JSON.stringify(value);
}
