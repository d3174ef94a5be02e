import { createHash } from 'node:crypto';

/**
 * JSON with sorted keys, so the same record always hashes the same whatever its key order. Built by appending to
 * one string (no arrays of entries to sort and join): the ledger's stored hashes depend on this exact text.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + stableStringify(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Sorted by UTF-16 code units, as comparing keys with < does; a record's keys often arrive sorted already.
  for (let i = 1; i < keys.length; i++)
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${quoted(key)}:${stableStringify(item)}`;
    first = false;
  }
  return `${out}}`;
}

/** Keys as JSON, kept: records repeat the same few hundred. */
const QUOTED = new Map<string, string>();
function quoted(key: string): string {
  let text = QUOTED.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (QUOTED.size < 10_000) QUOTED.set(key, text);
  }
  return text;
}

export function recordHash(record: unknown): string {
  return createHash('sha256').update(stableStringify(record)).digest('hex');
}
