import { MAPPING_FUNCTIONS } from './jsonata-functions';

/** What a plain expression answers when this input needs JSONata's own rules after all. */
export const NEEDS_JSONATA = Symbol('needs JSONata');

/** `root` is the record an expression was given (`$$`); `input` the item it is looking at (the record, or a list's element). */
export type Plain = (input: unknown, context: Record<string, unknown>, root?: unknown) => unknown;

/**
 * JSONata's operators and the functions plain expressions may call, each answering as JSONata does or
 * NEEDS_JSONATA where JSONata's own rules (lists, deep equality, mixed types) would decide.
 */
export function binaryOperator(operator: string, lhs: Plain, rhs: Plain): Plain | undefined {
  const both = (input: unknown, context: Record<string, unknown>, root: unknown) => [
    lhs(input, context, root),
    rhs(input, context, root),
  ];
  switch (operator) {
    case 'and':
    case 'or':
      return (input, context, root) => {
        const left = truthOf(lhs(input, context, root));
        if (left === NEEDS_JSONATA) return NEEDS_JSONATA;
        // JSONata does not look at the right side once the left decides.
        if (operator === 'and' ? !left : left) return left;
        const right = truthOf(rhs(input, context, root));
        return right === NEEDS_JSONATA ? NEEDS_JSONATA : right;
      };
    case '=':
    case '!=':
      return (input, context, root) => {
        const [left, right] = both(input, context, root);
        if (left === NEEDS_JSONATA || right === NEEDS_JSONATA) return NEEDS_JSONATA;
        // Either side missing: false, whichever the operator. Objects compare deeply: JSONata's business.
        if (left === undefined || right === undefined) return false;
        if (isObject(left) || isObject(right)) return NEEDS_JSONATA;
        return operator === '=' ? left === right : left !== right;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (input, context, root) => {
        const [left, right] = both(input, context, root);
        if (left === NEEDS_JSONATA || right === NEEDS_JSONATA) return NEEDS_JSONATA;
        if (left === undefined || right === undefined) return undefined;
        // Numbers with numbers, texts with texts; anything else is an error JSONata words.
        if (!(
          (typeof left === 'number' && typeof right === 'number') ||
          (typeof left === 'string' && typeof right === 'string')
        ))
          return NEEDS_JSONATA;
        return compare(operator, left, right);
      };
    case 'in':
      return (input, context, root) => {
        const [left, right] = both(input, context, root);
        if (left === NEEDS_JSONATA || right === NEEDS_JSONATA) return NEEDS_JSONATA;
        if (left === undefined || right === undefined) return false;
        if (isObject(left)) return NEEDS_JSONATA;
        return (Array.isArray(right) ? right : [right]).some((element) => element === left);
      };
    case '+':
    case '-':
      // Whole numbers only, where JavaScript's sum is exact and JSONata's the same; a missing side is nothing.
      return (input, context, root) => {
        const [left, right] = both(input, context, root);
        if (left === NEEDS_JSONATA || right === NEEDS_JSONATA) return NEEDS_JSONATA;
        if (left === undefined || right === undefined) return undefined;
        if (!Number.isSafeInteger(left) || !Number.isSafeInteger(right)) return NEEDS_JSONATA;
        const result =
          operator === '+' ? (left as number) + (right as number) : (left as number) - (right as number);
        return Number.isSafeInteger(result) ? result : NEEDS_JSONATA;
      };
    case '&':
      return (input, context, root) => {
        const [left, right] = both(input, context, root);
        const text = (value: unknown) =>
          value === undefined ? '' : typeof value === 'string' ? value : NEEDS_JSONATA;
        const [l, r] = [text(left), text(right)];
        return typeof l === 'string' && typeof r === 'string' ? l + r : NEEDS_JSONATA;
      };
    default:
      return undefined;
  }
}

/** JSONata's truth of a value; a list (where its own rules apply) is handed over. */
export function truthOf(value: unknown): boolean | typeof NEEDS_JSONATA {
  if (value === NEEDS_JSONATA || Array.isArray(value) || typeof value === 'function') return NEEDS_JSONATA;
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  return Object.keys(value).length > 0;
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null;

function compare(operator: string, left: number | string, right: number | string): boolean {
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

/** `$string`: a number that is not whole is written to 15 significant digits first, as JSONata does (0.1 + 0.2: 0.3). */
function textOf(value: string | number | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' && !Number.isInteger(value)
    ? String(Number(value.toPrecision(15)))
    : String(value);
}

/** A function's plain form and the type of each argument (JSONata signature letters). */
export function callable(name: string): { fn: (...args: unknown[]) => unknown; types: string[] } | undefined {
  if (name === 'string')
    return { fn: (value) => textOf(value as string | number | boolean | undefined), types: ['text'] };
  if (name === 'not') return { fn: (value) => !truthOf(value), types: ['plain'] };
  // A text searched for a text, or for a match of a pattern written in place (see patternOf; JSONata's matcher
  // finds the same).
  if (name === 'contains')
    return {
      fn: (text, part) =>
        text === undefined
          ? undefined
          : part instanceof RegExp
            ? part.test(text as string)
            : (text as string).includes(part as string),
      types: ['s', 'pattern'],
    };
  if (name === 'substringBefore')
    return {
      fn: (text, part) => {
        if (text === undefined) return undefined;
        const at = (text as string).indexOf(part as string);
        return at > -1 ? (text as string).substring(0, at) : text;
      },
      types: ['s', 's'],
    };
  // Decimal digits only: JSONata's other forms (hex, padding) are its own to read.
  if (name === 'number')
    return {
      fn: (value) => (typeof value === 'number' ? value : parseFloat(value as string)),
      types: ['number'],
    };
  // A full ISO date and time with its zone, which JSONata reads with Date.parse as well; other forms are its own.
  if (name === 'toMillis')
    return {
      fn: (text) =>
        text === undefined
          ? undefined
          : ISO_INSTANT.test(text as string)
            ? Date.parse(text as string)
            : NEEDS_JSONATA,
      types: ['s'],
    };
  const known = MAPPING_FUNCTIONS[name];
  if (!known) return undefined;
  const match = /^<([^:]*):([^>]*)>?/.exec(known.signature);
  // Functions that answer a list stay with JSONata (its sequences flatten single values).
  if (!match || match[2].startsWith('a')) return undefined;
  const types = [...match[1].replace(/[-?+]/g, '')];
  if (!types.every((type) => 'sxon'.includes(type))) return undefined;
  return { fn: known.fn, types };
}

const ISO_INSTANT = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d(\.\d{1,3})?(Z|[+-][0-2]\d:[0-5]\d)$/;

export function fits(value: unknown, type: string): boolean {
  // JSONata hands a mapping function a missing value as it is, whatever the type, and null where any is taken.
  if (value === undefined) return 'sxon'.includes(type) || type === 'text';
  if (value === null) return type === 'x';
  if (Array.isArray(value)) return false;
  switch (type) {
    case 'text':
      return (
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value))
      );
    case 'pattern':
      return typeof value === 'string' || value instanceof RegExp;
    case 's':
      return typeof value === 'string';
    case 'n':
      return typeof value === 'number';
    case 'o':
      return typeof value === 'object';
    case 'plain':
      return typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number';
    case 'number':
      return (
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(value))
      );
    default:
      return typeof value !== 'function';
  }
}
