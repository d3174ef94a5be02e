import { SwitchyardError } from '../../common/errors';

/**
 * The paging styles platforms use, each an async generator of pages with an opaque cursor that reads the
 * page after: the engine keeps the last loaded page's cursor, so a resumed run starts there. A connector
 * gives each one a `fetch` for its endpoint and yields (or maps) the pages.
 */
export interface Page<T> {
  records: T[];
  /** Reads the page after this one; null after the last. */
  nextCursor: string | null;
}

/** OData's `__next` (Exact Online, SAP): a full URL followed verbatim until absent. */
export async function* odataPages<T>(options: {
  first: string;
  cursor: string | null;
  fetch: (url: string) => Promise<{ results: T[]; next?: string | null }>;
}): AsyncGenerator<Page<T>> {
  let url: string | null = options.cursor ?? options.first;
  while (url) {
    const page = await options.fetch(url);
    url = page.next || null;
    yield { records: page.results, nextCursor: url };
  }
}

/**
 * skip/take (AFAS GetConnectors): a platform that pages by offset only returns stable pages under an order,
 * so one is mandatory. A page shorter than `take` is the last.
 */
export async function* skipTakePages<T>(options: {
  take: number;
  orderBy: string;
  cursor: string | null;
  fetch: (skip: number, take: number, orderBy: string) => Promise<T[]>;
}): AsyncGenerator<Page<T>> {
  if (!options.orderBy.trim())
    throw new SwitchyardError(
      'MAPPING_INVALID',
      'skip/take paging needs an order: pages without one overlap and miss rows',
    );
  let skip = options.cursor ? Number(options.cursor) : 0;
  for (;;) {
    const records = await options.fetch(skip, options.take, options.orderBy);
    skip += records.length;
    const more = records.length === options.take;
    yield { records, nextCursor: more ? String(skip) : null };
    if (!more) return;
  }
}

/** A cursor the platform hands out (HubSpot's `after`): the next page's token, absent after the last. */
export async function* cursorPages<T>(options: {
  cursor: string | null;
  fetch: (after: string | undefined) => Promise<{ records: T[]; after?: string | null }>;
}): AsyncGenerator<Page<T>> {
  let after = options.cursor ?? undefined;
  do {
    const page = await options.fetch(after);
    after = page.after || undefined;
    yield { records: page.records, nextCursor: after ?? null };
  } while (after);
}

/** RFC 8288 `Link: <…>; rel="next"` (Shopify REST, GitHub): the next page's URL from the header. */
export async function* linkHeaderPages<T>(options: {
  first: string;
  cursor: string | null;
  fetch: (url: string) => Promise<{ records: T[]; link?: string }>;
}): AsyncGenerator<Page<T>> {
  let url: string | null = options.cursor ?? options.first;
  while (url) {
    const page = await options.fetch(url);
    url = nextLink(page.link);
    yield { records: page.records, nextCursor: url };
  }
}

export function nextLink(header: string | undefined): string | null {
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return null;
}

/** Numbered pages with a total (WooCommerce's `page` and `X-WP-TotalPages`). */
export async function* numberedPages<T>(options: {
  cursor: string | null;
  fetch: (page: number) => Promise<{ records: T[]; totalPages: number }>;
}): AsyncGenerator<Page<T>> {
  let page = options.cursor ? Number(options.cursor) : 1;
  for (;;) {
    const result = await options.fetch(page);
    const more = page < result.totalPages;
    yield { records: result.records, nextCursor: more ? String(page + 1) : null };
    if (!more) return;
    page += 1;
  }
}

/** Keyset on an ordered key (`id > last`): stable under inserts; a page shorter than `limit` is the last. */
export async function* keysetPages<T>(options: {
  limit: number;
  cursor: string | null;
  keyOf: (record: T) => string;
  fetch: (after: string | undefined, limit: number) => Promise<T[]>;
}): AsyncGenerator<Page<T>> {
  let after = options.cursor ?? undefined;
  for (;;) {
    const records = await options.fetch(after, options.limit);
    const more = records.length === options.limit;
    if (records.length > 0) after = options.keyOf(records[records.length - 1]);
    yield { records, nextCursor: more ? (after ?? null) : null };
    if (!more) return;
  }
}

/** A GraphQL connection (Shopify): `nodes` and `pageInfo { hasNextPage endCursor }`. */
export async function* connectionPages<T>(options: {
  cursor: string | null;
  fetch: (
    after: string | undefined,
  ) => Promise<{ nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }>;
}): AsyncGenerator<Page<T>> {
  let after = options.cursor ?? undefined;
  for (;;) {
    const { nodes, pageInfo } = await options.fetch(after);
    const more = pageInfo.hasNextPage && Boolean(pageInfo.endCursor);
    after = pageInfo.endCursor ?? undefined;
    yield { records: nodes, nextCursor: more ? after! : null };
    if (!more) return;
  }
}

/**
 * Pages of records already in hand (a whole read, a derived set), from an offset cursor: what a platform that
 * answers everything at once, or a connector that computes its records, hands the engine page by page.
 */
export function* offsetPages<T>(
  all: T[],
  cursor: string | null,
  pageSize: number,
): Iterable<{ records: T[]; nextCursor: string | null }> {
  let start = cursor ? Number(cursor) : 0;
  do {
    const records = all.slice(start, start + pageSize);
    start += records.length;
    yield { records, nextCursor: start < all.length ? String(start) : null };
  } while (start < all.length);
}
