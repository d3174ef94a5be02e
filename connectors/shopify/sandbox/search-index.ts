import { scalarText } from '../../../src/connectors';
import type { SearchQuery } from './search-query';
import { TAG_SEARCH } from './shopify.contract';

type Read = (row: Record<string, any>) => unknown;

/** Stands for "any value": a row without the field matches every term on it (the term is ignored). */
const ANY = '\u0000*';
const keyOf = (field: string, value: string) => `${field}\u0000${value}`;

/**
 * Exact-value lookups for a table's indexed search fields: `tag:a OR tag:b …` reads the ids under those values
 * instead of testing every row. The ids are candidates: the caller still matches each row against the whole
 * query, so the index only has to never miss a row that could match. The store keeps it current on each write.
 */
export class SearchIndex {
  private readonly ids = new Map<string, Set<number>>();
  private readonly keysById = new Map<number, string[]>();
  private readonly readers: [string, Read][];

  constructor(private readonly fields: Record<string, Read>) {
    this.readers = Object.entries(fields);
  }

  put(id: number, row: Record<string, any>): void {
    this.drop(id);
    const keys: string[] = [];
    for (const [field, read] of this.readers) {
      const raw = read(row);
      if (raw === undefined) {
        keys.push(keyOf(field, ANY));
        continue;
      }
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        // A null never equals a term's value (search-query `compare`).
        if (value === null || value === undefined) continue;
        keys.push(keyOf(field, scalarText(value).toLowerCase()));
        // A tag is found by any of its words (TAG_SEARCH): each is a key of its own.
        if (field === TAG_SEARCH.field)
          for (const word of TAG_SEARCH.words(scalarText(value))) keys.push(keyOf(field, `\u0001${word}`));
      }
    }
    for (const key of keys) {
      let set = this.ids.get(key);
      if (!set) this.ids.set(key, (set = new Set()));
      set.add(id);
    }
    this.keysById.set(id, keys);
  }

  drop(id: number): void {
    for (const key of this.keysById.get(id) ?? []) {
      const set = this.ids.get(key);
      set?.delete(id);
      if (set?.size === 0) this.ids.delete(key);
    }
    this.keysById.delete(id);
  }

  /**
   * Ids whose `field` may equal `value` (case-insensitive, as search compares), or, for a tag, hold its
   * words: those under its rarest word, so a lookup of `switchyard-source-12` reads the few tags with "12",
   * not every tag with "switchyard".
   */
  find(field: string, value: string): number[] {
    const byWord =
      field === TAG_SEARCH.field
        ? TAG_SEARCH.words(value)
            .map((word) => this.ids.get(keyOf(field, `\u0001${word}`)) ?? new Set<number>())
            .sort((a, b) => a.size - b.size)[0]
        : undefined;
    return [
      ...new Set([
        ...(this.ids.get(keyOf(field, value.toLowerCase())) ?? []),
        ...(byWord ?? []),
        ...(this.ids.get(keyOf(field, ANY)) ?? []),
      ]),
    ];
  }

  /**
   * Every id that may match `query`, or null when it must be scanned: an empty query, or a group without an
   * exact, positive term on an indexed field (`tag:x`, not `-tag:x`, `tag:x*` or `updated_at:>…`).
   */
  candidates(query: SearchQuery): Set<number> | null {
    if (query.length === 0) return null;
    const found = new Set<number>();
    for (const group of query) {
      const term = group.find(
        (t) =>
          t.field !== null &&
          t.op === ':' &&
          !t.negate &&
          !t.value.endsWith('*') &&
          Object.hasOwn(this.fields, t.field),
      );
      if (!term) return null;
      for (const id of this.find(term.field!, term.value)) found.add(id);
    }
    return found;
  }
}
