/**
 * Canonical field paths as plans and connectors write them: dots between fields, `[]` for every element of
 * a list (`addresses[].country`). Each place a path leads to comes with its location in the record
 * (`addresses.1.country`), for messages that say where.
 */
export interface Place {
  at: string;
  value: unknown;
}

/** Every place `path` leads to in `record` (the empty path: the record itself); a missing field leads nowhere. */
export function placesAt(record: unknown, path: string): Place[] {
  let places: Place[] = [{ at: '', value: record }];
  for (const segment of path ? path.split('.') : []) places = places.flatMap((place) => step(place, segment));
  return places;
}

function step({ at, value: node }: Place, segment: string): Place[] {
  if (node === null || typeof node !== 'object') return [];
  const list = segment.endsWith('[]');
  const key = list ? segment.slice(0, -2) : segment;
  const value = (node as Record<string, unknown>)[key];
  const here = at ? `${at}.${key}` : key;
  if (!list) return value === undefined ? [] : [{ at: here, value }];
  return Array.isArray(value) ? value.map((item, index) => ({ at: `${here}.${index}`, value: item })) : [];
}

/** Every text in a record with its location; `extra` is passed over (nothing loads from it). */
export function textsOf(record: unknown, path = ''): { at: string; text: string }[] {
  if (typeof record === 'string') return [{ at: path, text: record }];
  if (Array.isArray(record)) return record.flatMap((item, index) => textsOf(item, `${path}.${index}`));
  if (record !== null && typeof record === 'object')
    return Object.entries(record).flatMap(([key, value]) =>
      key === 'extra' ? [] : textsOf(value, path ? `${path}.${key}` : key),
    );
  return [];
}
