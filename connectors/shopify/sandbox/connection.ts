import { GraphQLError } from 'graphql';

/** Shopify caps `first`/`last` at 250 and requires one of them on every connection. */
export const MAX_PAGE = 250;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
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
) {
  const size = args.first ?? args.last;
  if (size == null) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  if (size > MAX_PAGE || size < 0) {
    throw new GraphQLError(
      `The ${args.first != null ? 'first' : 'last'} argument of ${fieldName} must be between 0 and ${MAX_PAGE}`,
      {
        extensions: { code: 'BAD_REQUEST' },
      },
    );
  }
  const compare = (a: T, b: T) => {
    const va = sortValue(a);
    const vb = sortValue(b);
    if (va < vb) return -1;
    if (va > vb) return 1;
    return idOf(a) - idOf(b);
  };
  const sorted = [...rows].sort(compare);
  if (args.reverse) sorted.reverse();
  const position = (cursor: string) => {
    const { last_id } = decodeCursor(cursor);
    return sorted.findIndex((row) => idOf(row) === last_id);
  };
  let start = 0;
  let end = sorted.length;
  if (args.after) {
    const index = position(args.after);
    start =
      index === -1
        ? afterMissing(sorted, decodeCursor(args.after), sortValue, idOf, !!args.reverse)
        : index + 1;
  }
  if (args.before) {
    const index = position(args.before);
    if (index !== -1) end = index;
  }
  const window = sorted.slice(start, end);
  const page = args.first != null ? window.slice(0, size) : window.slice(Math.max(0, window.length - size));
  const firstIndex = start + (args.first != null ? 0 : Math.max(0, window.length - size));
  const cursorOf = (row: T) => encodeCursor({ last_id: idOf(row), last_value: sortValue(row) });
  return {
    edges: page.map((node) => ({ node, cursor: cursorOf(node) })),
    nodes: page,
    pageInfo: {
      hasNextPage: firstIndex + page.length < end || (args.first == null && end < sorted.length),
      hasPreviousPage: firstIndex > 0,
      startCursor: page.length > 0 ? cursorOf(page[0]) : null,
      endCursor: page.length > 0 ? cursorOf(page[page.length - 1]) : null,
    },
  };
}

/** The cursor's record was deleted: continue after where it would sort. */
function afterMissing<T>(
  sorted: T[],
  cursor: CursorPayload,
  sortValue: (row: T) => string | number,
  idOf: (row: T) => number,
  reverse: boolean,
): number {
  const index = sorted.findIndex((row) => {
    const value = sortValue(row);
    const greater = value > cursor.last_value || (value === cursor.last_value && idOf(row) > cursor.last_id);
    return reverse ? !greater : greater;
  });
  return index === -1 ? sorted.length : index;
}
