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
export function textIssues(record: unknown, path = ''): string[] {
  if (typeof record === 'string') {
    const field = path.split('.').pop() ?? path;
    const limit = LONG_TEXT_FIELDS.has(field) ? LONG_TEXT_LIMIT : SANE_TEXT_LIMIT;
    const issues: string[] = [];
    if (CONTROL_CHARACTER.test(record))
      issues.push(
        `${path} contains a control character (${JSON.stringify(record.slice(0, 40))}); remove it in the source`,
      );
    if (record.length > limit)
      issues.push(
        `${path} is ${record.length.toLocaleString('en')} characters, more than the ${limit.toLocaleString('en')} any field may hold`,
      );
    return issues;
  }
  if (Array.isArray(record)) return record.flatMap((item, index) => textIssues(item, `${path}.${index}`));
  if (record !== null && typeof record === 'object')
    return Object.entries(record).flatMap(([key, value]) =>
      key === 'extra' ? [] : textIssues(value, path ? `${path}.${key}` : key),
    );
  return [];
}

/**
 * A destination payload's text against the platform's documented field lengths (`title: 255`, `tags[]: 255`
 * for every element of a list).
 */
export function overLimits(payload: unknown, limits: Record<string, number>, platform: string): string[] {
  const issues: string[] = [];
  for (const [path, limit] of Object.entries(limits))
    for (const { at, value } of valuesAt(payload, path.split('.'), []))
      if (typeof value === 'string' && value.length > limit)
        issues.push(
          `${at} is ${value.length.toLocaleString('en')} characters; ${platform} takes at most ${limit.toLocaleString('en')}`,
        );
  return issues;
}

function valuesAt(node: unknown, segments: string[], at: string[]): { at: string; value: unknown }[] {
  if (segments.length === 0) return [{ at: at.join('.'), value: node }];
  if (node === null || typeof node !== 'object') return [];
  const [head, ...rest] = segments;
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  const value = (node as Record<string, unknown>)[key];
  if (!list) return valuesAt(value, rest, [...at, key]);
  return Array.isArray(value)
    ? value.flatMap((item, index) => valuesAt(item, rest, [...at, `${key}.${index}`]))
    : [];
}
