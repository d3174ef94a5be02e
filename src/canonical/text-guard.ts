import { eachText, placesAt } from './field-path';

/** C0 controls other than tab, newline and carriage return, and DEL: never intended in a name or address. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this check
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Longest text loaded where the destination documents no limit of its own. */
export const SANE_TEXT_LIMIT = 5_000;
/** Descriptions and notes: long by nature, not without end. */
const LONG_TEXT_FIELDS = new Set(['descriptionHtml', 'note']);
export const LONG_TEXT_LIMIT = 100_000;

/**
 * What a canonical record's text must never hold, whatever the destination: control characters (a NUL
 * truncates or corrupts text on most platforms) and text beyond any sane length. `extra` is left alone:
 * nothing loads from it.
 */
export function textIssues(record: unknown): string[] {
  const issues: string[] = [];
  eachText(record, (text, where) => {
    const control = CONTROL_CHARACTER.test(text);
    if (!control && text.length <= SANE_TEXT_LIMIT) return;
    const at = where();
    const limit = LONG_TEXT_FIELDS.has(at.split('.').pop() ?? at) ? LONG_TEXT_LIMIT : SANE_TEXT_LIMIT;
    if (control)
      issues.push(
        `${at} contains a control character (${JSON.stringify(text.slice(0, 40))}); remove it in the source`,
      );
    if (text.length > limit)
      issues.push(
        `${at} is ${text.length.toLocaleString('en')} characters, more than the ${limit.toLocaleString('en')} any field may hold`,
      );
  });
  return issues;
}

/**
 * A destination payload's text against the platform's documented field lengths (`title: 255`, `tags[]: 255`
 * for every element of a list).
 */
export function overLimits(payload: unknown, limits: Record<string, number>, platform: string): string[] {
  return Object.entries(limits).flatMap(([path, limit]) =>
    placesAt(payload, path)
      .filter(({ value }) => typeof value === 'string' && value.length > limit)
      .map(
        ({ at, value }) =>
          `${at} is ${(value as string).length.toLocaleString('en')} characters; ${platform} takes at most ${limit.toLocaleString('en')}`,
      ),
  );
}

/**
 * A payload with every text beyond its documented length cut to that length (never inside a surrogate pair),
 * and each cut named: `name cut from 300 to 255 characters`. The payload given is left as it is.
 */
export function truncatedToLimits<T>(
  payload: T,
  limits: Record<string, number>,
): { payload: T; cuts: string[] } {
  const copy = structuredClone(payload);
  const cuts: string[] = [];
  const cut = (node: unknown, segments: string[], at: string, limit: number) => {
    if (node === null || typeof node !== 'object' || segments.length === 0) return;
    const [segment, ...rest] = segments;
    const list = segment.endsWith('[]');
    const key = list ? segment.slice(0, -2) : segment;
    const holder = node as Record<string, unknown>;
    const here = at ? `${at}.${key}` : key;
    const visit = (parent: Record<string | number, unknown>, slot: string | number, where: string) => {
      const value = parent[slot];
      if (rest.length > 0) return cut(value, rest, where, limit);
      if (typeof value !== 'string' || value.length <= limit) return;
      const end = /[\uD800-\uDBFF]/.test(value[limit - 1] ?? '') ? limit - 1 : limit;
      parent[slot] = value.slice(0, end);
      cuts.push(
        `${where} cut from ${value.length.toLocaleString('en')} to ${end.toLocaleString('en')} characters`,
      );
    };
    const items = holder[key];
    if (!list) visit(holder, key, here);
    else if (Array.isArray(items))
      items.forEach((_, index) => visit(items as Record<number, unknown>, index, `${here}.${index}`));
  };
  for (const [path, limit] of Object.entries(limits)) cut(copy, path.split('.'), '', limit);
  return { payload: copy, cuts };
}

/** Lists in a payload longer than the destination takes in one write, each named by its path. */
export function overListLimit(payload: unknown, limit: number, platform: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      if (value.length > limit)
        found.push(
          `${at} holds ${value.length.toLocaleString('en')} items; ${platform} takes at most ${limit} in one write`,
        );
      value.forEach((item, index) => walk(item, `${at}[${index}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, at ? `${at}.${key}` : key);
    }
  };
  walk(payload, '');
  return found;
}

/** What a missing value becomes when a mapping joins it as text: JSONata's `null & ', '` is `"null, "`. */
const MISSING_AS_TEXT = /\b(null|undefined)\b/;

/**
 * Texts of what is written (a payload, its children) holding `null` or `undefined` as a word the source record
 * never held: a missing value the mappings wrote as text (`line1 & ', ' & line2` with no line1). Such a record
 * is refused rather than loaded with the word in its street, name or note.
 */
export function missingAsText(written: unknown[], source: unknown): string[] {
  const issues: string[] = [];
  for (const part of written)
    eachText(part, (text, where) => {
      const word = MISSING_AS_TEXT.exec(text)?.[1];
      if (word !== undefined && !holdsWord(source, new RegExp(`\\b${word}\\b`)))
        issues.push(`${where()} would be ${JSON.stringify(text.slice(0, 60))}`);
    });
  return issues;
}

function holdsWord(value: unknown, word: RegExp): boolean {
  if (typeof value === 'string') return word.test(value);
  if (Array.isArray(value)) return value.some((item) => holdsWord(item, word));
  if (value !== null && typeof value === 'object')
    return Object.values(value).some((item) => holdsWord(item, word));
  return false;
}
