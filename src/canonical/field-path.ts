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

/**
 * Calls `visit` for every text in a record; `extra` is passed over (nothing loads from it). Its location
 * (`addresses.1.city`) is put together only when `at()` is called: a clean record costs no strings.
 */
export function eachText(record: unknown, visit: (text: string, at: () => string) => void): void {
  const keys: string[] = [];
  const at = () => keys.join('.');
  const walk = (value: unknown) => {
    if (typeof value === 'string') visit(value, at);
    else if (Array.isArray(value))
      for (let index = 0; index < value.length; index++) {
        keys.push(String(index));
        walk(value[index]);
        keys.pop();
      }
    else if (value !== null && typeof value === 'object')
      for (const key of Object.keys(value)) {
        if (key === 'extra') continue;
        keys.push(key);
        walk((value as Record<string, unknown>)[key]);
        keys.pop();
      }
  };
  walk(record);
}

/** Every text in a record with its location; `extra` is passed over. */
export function textsOf(record: unknown): { at: string; text: string }[] {
  const texts: { at: string; text: string }[] = [];
  eachText(record, (text, at) => texts.push({ at: at(), text }));
  return texts;
}
