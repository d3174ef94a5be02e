import type { NativeRecord } from '../connectors/connector.port';

export interface Page {
  records: NativeRecord[];
  nextCursor: string | null;
}

/**
 * Source pages joined until they hold at least `size` records, so the destination gets full batches whatever
 * the source's page size (Shopify reads orders ten at a time; HubSpot writes a hundred). A group's cursor is
 * its last page's: committed with the group, a crash re-reads at most one group.
 */
export async function* regroup(pages: AsyncIterable<Page>, size: number): AsyncGenerator<Page> {
  let records: NativeRecord[] = [];
  let cursor: string | null = null;
  for await (const page of pages) {
    records = records.length === 0 ? page.records : records.concat(page.records);
    cursor = page.nextCursor;
    if (records.length >= size || cursor === null) {
      yield { records, nextCursor: cursor };
      records = [];
    }
  }
  // A source that ends without a last null cursor still hands over what it read.
  if (records.length > 0) yield { records, nextCursor: cursor };
}

/**
 * Reads the next page while the caller works on this one: the source's latency hides behind the
 * destination's. One page ahead at most, so memory holds two.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // Read early, its failure is reported when the caller gets to it, not as an unhandled rejection.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}
