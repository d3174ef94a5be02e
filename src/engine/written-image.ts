/**
 * Whether a destination still holds what was written, as the platform gives it back: a number written as 10
 * comes back "10.00", a date as a timestamp, an email lower-cased, an object with keys of its own (ids,
 * `attributes`), a list with more entries (meta data the platform or another app added). Only what was written
 * is compared; a value that differs beyond those forms is a change someone made.
 */
export function holds(current: unknown, written: unknown): boolean {
  if (isEmpty(written)) return isEmpty(current) || (Array.isArray(current) && current.length === 0);
  if (Array.isArray(written))
    return Array.isArray(current) && written.every((item) => current.some((value) => holds(value, item)));
  if (typeof written === 'object') {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return false;
    return Object.entries(written as Record<string, unknown>).every(([key, value]) =>
      holds((current as Record<string, unknown>)[key], value),
    );
  }
  return sameScalar(current, written as string | number | boolean);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const EPOCH_MS = /^\d{12,13}$/;

function sameScalar(current: unknown, written: string | number | boolean): boolean {
  if (typeof current !== 'string' && typeof current !== 'number' && typeof current !== 'boolean')
    return false;
  const a = String(current).trim();
  const b = String(written).trim();
  if (a === b || a.toLowerCase() === b.toLowerCase()) return true;
  if (a !== '' && b !== '' && Number.isFinite(Number(a)) && Number.isFinite(Number(b)))
    return Number(a) === Number(b);
  // A date goes out as ISO text or as epoch milliseconds (HubSpot's date properties) and may come back as either.
  const time = (text: string) =>
    ISO_DATE.test(text) ? Date.parse(text) : EPOCH_MS.test(text) ? Number(text) : NaN;
  return !Number.isNaN(time(a)) && time(a) === time(b);
}

/** A before-image fit to create the record again: the platform's ids of its nested entries (meta, lines) dropped. */
export function recreatable(image: Record<string, unknown>): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([key]) => key !== 'id' && key !== 'attributes')
          .map(([key, inner]) => [key, strip(inner)]),
      );
    return value;
  };
  return Object.fromEntries(Object.entries(image).map(([key, value]) => [key, strip(value)]));
}
