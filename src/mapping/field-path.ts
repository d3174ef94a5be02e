/** Reads a dotted path (`billing.email`, `lines.0.sku`) without an expression engine: the fast case. */
export function readPath(input: unknown, path: string): unknown {
  if (path === '$') return input;
  let current: unknown = input;
  for (const key of splitPath(path)) {
    if (current == null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const splitCache = new Map<string, string[]>();

function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (!parts) {
    parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    splitCache.set(path, parts);
  }
  return parts;
}
