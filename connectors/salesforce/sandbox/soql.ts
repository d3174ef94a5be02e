import { scalarText } from '../../../src/connectors';
import { SalesforceError } from './salesforce.errors';

/**
 * The subset of SOQL the sandbox answers: `SELECT fields | COUNT() FROM Object [WHERE …] [ORDER BY …]
 * [LIMIT n] [OFFSET n]`, with AND / OR / NOT, parentheses, = != <> < <= > >= LIKE IN NOT IN, parent fields
 * (`Account.Name`), and string, number, boolean, null, date and datetime literals. Anything else is refused
 * with MALFORMED_QUERY, as an unsupported query would be by the platform.
 */
export type Literal = string | number | boolean | null | { date: string } | { datetime: number };
export type Condition =
  | { kind: 'and'; parts: Condition[] }
  | { kind: 'or'; parts: Condition[] }
  | { kind: 'not'; part: Condition }
  | { kind: 'compare'; field: string; op: string; value: Literal | Literal[] };

export interface SoqlQuery {
  object: string;
  fields: string[];
  count: boolean;
  where?: Condition;
  orderBy: { field: string; descending: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
}

type Token = { type: 'word' | 'string' | 'number' | 'date' | 'datetime' | 'symbol'; text: string };

const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))|(\d{4}-\d{2}-\d{2})(?![\w:])|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w.]*)|(!=|<>|<=|>=|[=<>(),]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw malformed(`unexpected token: '${text.slice(at).trim().split(/\s/)[0]}'`);
    if (m[1] !== undefined) tokens.push({ type: 'string', text: m[1].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) tokens.push({ type: 'datetime', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ type: 'date', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ type: 'number', text: m[4] });
    else if (m[5] !== undefined) tokens.push({ type: 'word', text: m[5] });
    else tokens.push({ type: 'symbol', text: m[6] });
  }
  return tokens;
}

const malformed = (message: string) => new SalesforceError(400, 'MALFORMED_QUERY', message);

export function parseSoql(text: string): SoqlQuery {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const isWord = (word: string, token = peek()) =>
    token?.type === 'word' && token.text.toUpperCase() === word;
  const expectWord = (word: string) => {
    if (!isWord(word)) throw malformed(`unexpected token: '${peek()?.text ?? '<end>'}', expected ${word}`);
    i++;
  };
  const expectSymbol = (symbol: string) => {
    if (peek()?.text !== symbol) throw malformed(`unexpected token: '${peek()?.text ?? '<end>'}'`);
    i++;
  };
  const fieldName = () => {
    const token = peek();
    if (token?.type !== 'word') throw malformed(`unexpected token: '${token?.text ?? '<end>'}'`);
    i++;
    return token.text;
  };

  expectWord('SELECT');
  const fields: string[] = [];
  let count = false;
  if (isWord('COUNT') && tokens[i + 1]?.text === '(') {
    i += 2;
    expectSymbol(')');
    count = true;
  } else {
    do {
      if (peek()?.text === '(') throw malformed('nested queries are not supported by this sandbox');
      fields.push(fieldName());
    } while (peek()?.text === ',' && ++i);
  }
  expectWord('FROM');
  const object = fieldName();

  const literal = (): Literal => {
    const token = tokens[i++];
    if (!token) throw malformed('unexpected end of query');
    if (token.type === 'string') return token.text;
    if (token.type === 'number') return Number(token.text);
    if (token.type === 'date') return { date: token.text };
    if (token.type === 'datetime')
      return { datetime: Date.parse(token.text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) };
    if (isWord('TRUE', token)) return true;
    if (isWord('FALSE', token)) return false;
    if (isWord('NULL', token)) return null;
    throw malformed(`unexpected token: '${token.text}'`);
  };
  const comparison = (): Condition => {
    if (peek()?.text === '(') {
      i++;
      const inner = disjunction();
      expectSymbol(')');
      return inner;
    }
    if (isWord('NOT')) {
      i++;
      return { kind: 'not', part: comparison() };
    }
    const field = fieldName();
    let op: string;
    if (isWord('NOT') && isWord('IN', tokens[i + 1])) {
      i += 2;
      op = 'NOT IN';
    } else if (isWord('IN') || isWord('LIKE')) op = tokens[i++].text.toUpperCase();
    else if (peek()?.type === 'symbol' && /^(=|!=|<>|<|<=|>|>=)$/.test(peek().text)) op = tokens[i++].text;
    else throw malformed(`unexpected token: '${peek()?.text ?? '<end>'}'`);
    if (op === 'IN' || op === 'NOT IN') {
      expectSymbol('(');
      const values: Literal[] = [];
      do values.push(literal());
      while (peek()?.text === ',' && ++i);
      expectSymbol(')');
      return { kind: 'compare', field, op, value: values };
    }
    return { kind: 'compare', field, op: op === '<>' ? '!=' : op, value: literal() };
  };
  const conjunction = (): Condition => {
    const parts = [comparison()];
    while (isWord('AND')) {
      i++;
      parts.push(comparison());
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  };
  const disjunction = (): Condition => {
    const parts = [conjunction()];
    while (isWord('OR')) {
      i++;
      parts.push(conjunction());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  };

  const query: SoqlQuery = { object, fields, count, orderBy: [] };
  if (isWord('WHERE')) {
    i++;
    query.where = disjunction();
  }
  if (isWord('ORDER')) {
    i++;
    expectWord('BY');
    do {
      const field = fieldName();
      let descending = false;
      if (isWord('ASC') || isWord('DESC')) descending = tokens[i++].text.toUpperCase() === 'DESC';
      let nullsLast = descending;
      if (isWord('NULLS')) {
        i++;
        nullsLast = isWord('LAST');
        if (!isWord('LAST') && !isWord('FIRST')) throw malformed('expected NULLS FIRST or NULLS LAST');
        i++;
      }
      query.orderBy.push({ field, descending, nullsLast });
    } while (peek()?.text === ',' && ++i);
  }
  for (const clause of ['LIMIT', 'OFFSET'] as const) {
    if (isWord(clause)) {
      i++;
      const token = tokens[i++];
      if (token?.type !== 'number' || !/^\d+$/.test(token.text))
        throw malformed(`${clause} needs a whole number`);
      query[clause === 'LIMIT' ? 'limit' : 'offset'] = Number(token.text);
    }
  }
  if (i < tokens.length) throw malformed(`unexpected token: '${tokens[i].text}'`);
  return query;
}

/** Whether a row matches, given how to read a (possibly parent) field's comparable value. */
export function matches(condition: Condition | undefined, read: (field: string) => unknown): boolean {
  if (!condition) return true;
  if (condition.kind === 'and') return condition.parts.every((part) => matches(part, read));
  if (condition.kind === 'or') return condition.parts.some((part) => matches(part, read));
  if (condition.kind === 'not') return !matches(condition.part, read);
  const actual = read(condition.field);
  const equal = (value: Literal) => compare(actual, value) === 0;
  switch (condition.op) {
    case 'IN':
    case 'NOT IN': {
      // A query's IN list is often a page of ids: a set of their comparable keys answers each row at once.
      const keys = listKeys(condition.value as Literal[]);
      const key = equalityKey(actual);
      const found = keys && key !== undefined ? keys.has(key) : (condition.value as Literal[]).some(equal);
      return condition.op === 'IN' ? found : !found;
    }
    case '=':
      return equal(condition.value as Literal);
    case '!=':
      return !equal(condition.value as Literal);
    case 'LIKE': {
      const pattern = scalarText(condition.value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const regex = new RegExp(`^${pattern.replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i');
      return typeof actual === 'string' && regex.test(actual);
    }
    default: {
      if (actual === null || actual === undefined) return false;
      const order = compare(actual, condition.value);
      return condition.op === '<'
        ? order < 0
        : condition.op === '<='
          ? order <= 0
          : condition.op === '>'
            ? order > 0
            : order >= 0;
    }
  }
}

const plain = (v: unknown): unknown =>
  v !== null && typeof v === 'object' ? ('datetime' in v ? v.datetime : 'date' in v ? v.date : v) : v;

/**
 * A key two values share exactly when `compare` finds them equal (nothing equals nothing; numbers by value, the
 * rest by lower-cased text); undefined for NaN, which equals nothing by `compare` but has a text.
 */
export function equalityKey(value: unknown): string | undefined {
  const v = plain(value);
  if (v === null || v === undefined) return '\u0000null';
  if (typeof v === 'number' && Number.isNaN(v)) return undefined;
  return scalarText(v).toLowerCase();
}

const listKeyCache = new WeakMap<Literal[], Set<string> | null>();

/** The keys of an IN list, once per parsed query; null when one of them has no key. */
function listKeys(values: Literal[]): Set<string> | null {
  let keys = listKeyCache.get(values);
  if (keys === undefined) {
    const all = values.map(equalityKey);
    keys = all.every((key): key is string => key !== undefined) ? new Set(all) : null;
    listKeyCache.set(values, keys);
  }
  return keys;
}

/** Orders two values as SOQL does: strings case-insensitively, dates and datetimes by time. */
export function compare(actual: unknown, value: unknown): number {
  const a = plain(actual);
  const b = plain(value);
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = scalarText(a).toLowerCase();
  const right = scalarText(b).toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}
