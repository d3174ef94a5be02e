import { hash } from 'node:crypto';

/** A string JSON.stringify would write as it is, in quotes: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON with sorted keys, so the same record always hashes the same whatever its key order. Built by appending to
 * one string (no arrays of entries to sort and join): the ledger's stored hashes depend on this exact text, which
 * is JSON.stringify's for every value, with object keys in code-unit order and missing values left out.
 */
export function stableStringify(value: unknown): string {
  // Most texts need no escaping: quoting them here spares a call into JSON.stringify per field.
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += stableStringify(value[i]);
    }
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
    if (first) first = false;
    else out += ',';
    out += quoted(key);
    out += ':';
    out += stableStringify(item);
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
  return hash('sha256', stableStringify(record), 'hex');
}
