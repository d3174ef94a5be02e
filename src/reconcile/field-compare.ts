import Decimal from 'decimal.js';
import { sameFile } from '../common/file-name';

/** What a destination may legitimately differ in: platform-assigned ids and timestamps, and unmapped extras. */
const ALWAYS_SKIPPED = new Set(['id', 'updatedAt', 'extra']);
const DECIMAL = /^-?\d+(\.\d+)?$/;
/**
 * Fields holding a file's URL. A platform stores the images it is given on its own host (Shopify on its CDN,
 * WooCommerce in its uploads folder), so an image is the same when its file is: the same file name, allowing
 * the suffix a platform adds to keep names unique (`shirt-1.png`, `shirt_3f2a9c1e.png`).
 */
const FILE_FIELDS = new Set(['images.src']);

export interface FieldDifference {
  field: string;
  source: unknown;
  destination: unknown;
}

/**
 * Compares two canonical records field by field. References are checked elsewhere (against the ledger);
 * a field the source leaves empty is not compared (the destination may fill a default); known losses are
 * skipped by path prefix; amounts compare as decimals ("19.9" equals "19.90").
 */
export function compareRecords(
  source: Record<string, unknown>,
  destination: Record<string, unknown>,
  skipped: string[],
): FieldDifference[] {
  const left = flatten(source);
  const right = flatten(destination);
  const differences: FieldDifference[] = [];
  for (const [field, value] of left) {
    const top = field.split('.')[0];
    if (ALWAYS_SKIPPED.has(top)) continue;
    if (
      skipped.some(
        (loss) =>
          field === loss ||
          field.startsWith(`${loss}.`) ||
          stripIndexes(field).startsWith(`${loss}.`) ||
          stripIndexes(field) === loss,
      )
    )
      continue;
    if (value === null || value === '' || value === undefined) continue;
    const other = right.get(field);
    const equal = FILE_FIELDS.has(stripIndexes(field)) ? sameFile(value, other) : same(value, other);
    if (!equal) differences.push({ field, source: value, destination: other ?? null });
  }
  return differences;
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL.test(a) && DECIMAL.test(b))
    return new Decimal(a).equals(new Decimal(b));
  return a === b;
}

function stripIndexes(field: string): string {
  return field.replace(/\.\d+(?=\.|$)/g, '');
}

/** Leaf values by dotted path; reference objects are left out. */
export function flatten(
  record: unknown,
  prefix = '',
  into = new Map<string, unknown>(),
): Map<string, unknown> {
  if (Array.isArray(record)) {
    record.forEach((item, index) => flatten(item, `${prefix}${index}.`, into));
  } else if (record !== null && typeof record === 'object') {
    if ('entity' in record && 'sourceId' in record) return into;
    for (const [key, value] of Object.entries(record)) flatten(value, `${prefix}${key}.`, into);
  } else {
    into.set(prefix.slice(0, -1), record);
  }
  return into;
}
