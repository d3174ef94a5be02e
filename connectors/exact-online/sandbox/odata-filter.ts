/**
 * The part of OData v2's `$filter` Exact's clients use: comparisons (`eq ne gt ge lt le`) of a field, or
 * `trim(field)`, with a literal (`'text'`, `guid'…'`, `123L`, `12.5`, `datetime'…'`, `true`), joined by
 * `and` / `or`, grouped in parentheses. Anything else is refused, as Exact refuses it.
 */
export type Row = Record<string, unknown>;
type Clause = { field: string; trim: boolean; op: string; value: unknown };
type Node = { and: Node[] } | { or: Node[] } | Clause;

export class FilterError extends Error {}

export function parseFilter(text: string): Node {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const take = () => tokens[at++];
  function expression(): Node {
    const parts = [conjunction()];
    while (peek()?.toLowerCase() === 'or') {
      take();
      parts.push(conjunction());
    }
    return parts.length === 1 ? parts[0] : { or: parts };
  }
  function conjunction(): Node {
    const parts = [primary()];
    while (peek()?.toLowerCase() === 'and') {
      take();
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0] : { and: parts };
  }
  function primary(): Node {
    if (peek() === '(') {
      take();
      const inner = expression();
      if (take() !== ')') throw new FilterError('Syntax error: missing )');
      return inner;
    }
    let field = take();
    let trim = false;
    if (field?.toLowerCase() === 'trim' && peek() === '(') {
      take();
      field = take();
      if (take() !== ')') throw new FilterError('Syntax error in trim()');
      trim = true;
    }
    const op = take()?.toLowerCase();
    if (!field || !/^[A-Za-z_]\w*$/.test(field) || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op ?? ''))
      throw new FilterError(`Syntax error at position ${at} in '${text}'`);
    return { field, trim, op, value: literal(take()) };
  }
  const node = expression();
  if (at !== tokens.length) throw new FilterError(`Syntax error at position ${at} in '${text}'`);
  return node;
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*((?:guid|datetime)?'(?:[^']|'')*'|[()]|[^\s()]+)/gy;
  let end = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    tokens.push(match[1]);
    end = pattern.lastIndex;
  }
  if (text.slice(end).trim()) throw new FilterError(`Syntax error in '${text}'`);
  return tokens;
}

function literal(token: string | undefined): unknown {
  if (token === undefined) throw new FilterError('Syntax error: a comparison has no value');
  const quoted = /^(guid|datetime)?'((?:[^']|'')*)'$/.exec(token);
  if (quoted) {
    const text = quoted[2].replace(/''/g, "'");
    if (quoted[1] === 'datetime') return Date.parse(text.endsWith('Z') ? text : `${text}Z`);
    return quoted[1] === 'guid' ? text.toLowerCase() : text;
  }
  if (token === 'true' || token === 'false') return token === 'true';
  if (token === 'null') return null;
  const number = /^(-?\d+(?:\.\d+)?)[LMDm]?$/.exec(token);
  if (number) return Number(number[1]);
  throw new FilterError(`Unrecognized literal ${token}`);
}

export function fieldsOf(node: Node): string[] {
  if ('and' in node) return node.and.flatMap(fieldsOf);
  if ('or' in node) return node.or.flatMap(fieldsOf);
  return [node.field];
}

export function matches(node: Node, row: Row): boolean {
  if ('and' in node) return node.and.every((part) => matches(part, row));
  if ('or' in node) return node.or.some((part) => matches(part, row));
  let actual = row[node.field];
  if (typeof actual === 'string' && /^\/Date\((-?\d+)\)\/$/.test(actual))
    actual = Number(/-?\d+/.exec(actual)![0]);
  if (typeof actual === 'string' && node.trim) actual = actual.trim();
  if (typeof actual === 'string' && typeof node.value === 'string' && /^[0-9a-f-]{36}$/.test(node.value))
    actual = actual.toLowerCase();
  const expected = node.value;
  switch (node.op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    default: {
      if (actual === null || actual === undefined) return false;
      const [a, b] = [actual as number | string, expected as number | string];
      if (node.op === 'gt') return a > b;
      if (node.op === 'ge') return a >= b;
      if (node.op === 'lt') return a < b;
      return a <= b;
    }
  }
}
