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
  let out = '{';
  let first = true;
  // Sorted by UTF-16 code units, as comparing keys with < does.
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${stableStringify(item)}`;
    first = false;
  }
  return `${out}}`;
}

export function recordHash(record: unknown): string {
  return createHash('sha256').update(stableStringify(record)).digest('hex');
}
