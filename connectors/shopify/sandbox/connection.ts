import { GraphQLError } from 'graphql';

/** Shopify caps `first`/`last` at 250 and requires one of them on every connection. */
export const MAX_PAGE = 250;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
  /** A bulk operation's nested connection: every node, no `first` needed. */
  all?: boolean;
}

interface CursorPayload {
  last_id: number;
  last_value: string | number;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

function decodeCursor(cursor: string): CursorPayload {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as CursorPayload;
    if (typeof parsed.last_id !== 'number') throw new Error('bad cursor');
    return parsed;
  } catch {
    throw new GraphQLError(`Invalid cursor for current pagination sort.`, {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
}

/**
 * Pages `rows` (already filtered) in order of `sortValue` then id, as a GraphQL connection with
 * `edges`, `nodes` and `pageInfo`. Cursors carry the last id and sort value, like Shopify's.
 */
export function paginate<T>(
  rows: T[],
  args: ConnectionArgs,
  fieldName: string,
  idOf: (row: T) => number,
  sortValue: (row: T) => string | number = idOf,
  /** `rows` are already in order (sortRows, with `reverse` applied): a page costs a binary search. */
  presorted = false,
) {
  const size = args.all ? rows.length : (args.first ?? args.last);
  if (size == null) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  if (!args.all && (size > MAX_PAGE || size < 0)) {
    throw new GraphQLError(
      `The ${args.first != null ? 'first' : 'last'} argument of ${fieldName} must be between 0 and ${MAX_PAGE}`,
      {
        extensions: { code: 'BAD_REQUEST' },
      },
    );
  }
  const sorted = presorted ? rows : sortRows(rows, idOf, sortValue, !!args.reverse);
  const position = (cursor: string) => {
    const { last_id } = decodeCursor(cursor);
    return sorted.findIndex((row) => idOf(row) === last_id);
  };
  let start = 0;
  let end = sorted.length;
  // The first row past the cursor's sort value and id (its own row, or where it would sort if deleted).
  if (args.after) start = firstAfter(sorted, decodeCursor(args.after), sortValue, idOf, !!args.reverse);
  if (args.before) {
    const index = position(args.before);
    if (index !== -1) end = index;
  }
  // Only the page is copied: a bulk export pages a whole store 250 rows at a time.
  const firstIndex = args.first != null ? start : Math.max(start, end - size);
  const page = sorted.slice(firstIndex, Math.min(end, firstIndex + size));
  const cursorOf = (row: T) => encodeCursor({ last_id: idOf(row), last_value: sortValue(row) });
  return {
    // Built only when asked for (the field resolver calls a function): a cursor per row is most of a page's cost.
    edges: () => page.map((node) => ({ node, cursor: cursorOf(node) })),
    nodes: page,
    pageInfo: {
      hasNextPage: firstIndex + page.length < end || (args.first == null && end < sorted.length),
      hasPreviousPage: firstIndex > 0,
      startCursor: page.length > 0 ? cursorOf(page[0]) : null,
      endCursor: page.length > 0 ? cursorOf(page[page.length - 1]) : null,
    },
  };
}

/** Rows in order of `sortValue`, then id; descending when `reverse`. */
export function sortRows<T>(
  rows: T[],
  idOf: (row: T) => number,
  sortValue: (row: T) => string | number,
  reverse: boolean,
): T[] {
  const sorted = [...rows].sort((a, b) => {
    const va = sortValue(a);
    const vb = sortValue(b);
    if (va < vb) return -1;
    if (va > vb) return 1;
    return idOf(a) - idOf(b);
  });
  return reverse ? sorted.reverse() : sorted;
}

/** Binary search: the index of the first row that sorts after the cursor. */
function firstAfter<T>(
  sorted: T[],
  cursor: CursorPayload,
  sortValue: (row: T) => string | number,
  idOf: (row: T) => number,
  reverse: boolean,
): number {
  const after = (row: T) => {
    const value = sortValue(row);
    const id = idOf(row);
    return reverse
      ? value < cursor.last_value || (value === cursor.last_value && id < cursor.last_id)
      : value > cursor.last_value || (value === cursor.last_value && id > cursor.last_id);
  };
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (after(sorted[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}
