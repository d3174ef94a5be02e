import { scalarText } from '../../../src/connectors';
import { TAG_SEARCH } from './shopify.contract';

/**
 * Shopify's search syntax, the subset the Admin API documents for customers, products, orders and
 * variants: `field:value`, `field:'quoted value'`, comparisons `field:>value`, `-field:value`
 * negation, implicit AND and explicit OR. Unknown fields are ignored, as Shopify ignores them.
 */
export interface Term {
  field: string | null;
  op: ':' | '>' | '>=' | '<' | '<=';
  value: string;
  negate: boolean;
}

/** Disjunctive normal form: any group may match; every term in a group must. */
export type SearchQuery = Term[][];

const TOKEN =
  /\s*(?:(OR|AND)(?=\s|$)|(-?)([a-z_]+):(>=|<=|>|<)?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+))/gy;

export function parseSearchQuery(query: string | null | undefined): SearchQuery {
  if (!query || !query.trim()) return [];
  const groups: SearchQuery = [[]];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = TOKEN.exec(query)) !== null && match[0].trim() !== '') {
    const [, keyword, negate, field, op, fieldValue, bare] = match;
    if (keyword === 'OR') groups.push([]);
    else if (keyword === 'AND') continue;
    else if (field) {
      groups[groups.length - 1].push({
        field,
        op: (op as Term['op']) ?? ':',
        value: unquote(fieldValue),
        negate: negate === '-',
      });
    } else groups[groups.length - 1].push({ field: null, op: ':', value: unquote(bare), negate: false });
  }
  return groups.filter((group) => group.length > 0);
}

function unquote(value: string): string {
  if ((value.startsWith("'") && value.endsWith("'")) || (value.startsWith('"') && value.endsWith('"'))) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

/** How a record answers a field: one value, several (tags), or null. */
export type FieldReader = (record: any, field: string) => unknown;

export function matchesQuery(
  record: unknown,
  query: SearchQuery,
  read: FieldReader,
  freeText: (record: any) => string,
): boolean {
  if (query.length === 0) return true;
  return query.some((group) => group.every((term) => matchesTerm(record, term, read, freeText)));
}

function matchesTerm(
  record: unknown,
  term: Term,
  read: FieldReader,
  freeText: (record: any) => string,
): boolean {
  let result: boolean;
  if (term.field === null) {
    result = freeText(record).toLowerCase().includes(term.value.toLowerCase());
  } else {
    const raw = read(record, term.field);
    if (raw === undefined) return true; // an unknown filter is ignored
    const values = Array.isArray(raw) ? raw : [raw];
    result = values.some((value) =>
      term.field === TAG_SEARCH.field && term.op === ':' && !term.value.endsWith('*')
        ? holdsWords(value, term.value)
        : compare(value, term),
    );
  }
  return term.negate ? !result : result;
}

/** Whether a tag holds the term's words in a row (TAG_SEARCH). */
function holdsWords(value: unknown, wanted: string): boolean {
  if (value === null || value === undefined) return false;
  const words = TAG_SEARCH.words(scalarText(value));
  const run = TAG_SEARCH.words(wanted);
  if (run.length === 0) return false;
  for (let start = 0; start + run.length <= words.length; start++)
    if (run.every((word, index) => words[start + index] === word)) return true;
  return false;
}

function compare(value: unknown, term: Term): boolean {
  if (value === null || value === undefined) return false;
  const text = scalarText(value);
  if (term.op === ':') {
    if (term.value.endsWith('*')) return text.toLowerCase().startsWith(term.value.slice(0, -1).toLowerCase());
    return text.toLowerCase() === term.value.toLowerCase();
  }
  const left = isDate(text) && isDate(term.value) ? Date.parse(text) : Number(text);
  const right = isDate(text) && isDate(term.value) ? Date.parse(term.value) : Number(term.value);
  switch (term.op) {
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}/.test(value);
}
