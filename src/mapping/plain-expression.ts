import { MAPPING_FUNCTIONS } from './jsonata-functions';

/** What a plain expression answers when this input needs JSONata's own rules after all. */
export const NEEDS_JSONATA = Symbol('needs JSONata');

type Plain = (input: unknown, context: Record<string, unknown>) => unknown;

interface AstNode {
  type: string;
  value?: unknown;
  steps?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  predicate?: unknown;
  stages?: unknown;
  group?: unknown;
  focus?: unknown;
  index?: unknown;
  tuple?: unknown;
}

/**
 * The expressions most mappings are made of, run as plain functions: a path (`billing.phone`, `$ctx.currency`),
 * or one of our functions (or `$string`) applied to such paths (`$toUtc(createdAt)`,
 * `$money(total, currency)`). Whenever an input could make JSONata answer differently (a list where a value
 * was expected, a missing or mistyped argument), the function answers NEEDS_JSONATA and JSONata evaluates.
 * Undefined for any other shape: JSONata evaluates it always.
 */
export function plainExpression(ast: AstNode): Plain | undefined {
  const path = plainPath(ast);
  if (path) {
    return (input, context) => {
      const value = path(input, context);
      return Array.isArray(value) ? NEEDS_JSONATA : value;
    };
  }
  if (ast.type !== 'function' || ast.procedure?.type !== 'variable' || !ast.arguments) return undefined;
  const name = String(ast.procedure.value);
  const call = callable(name);
  if (!call) return undefined;
  const args = ast.arguments.map(plainPath);
  if (args.some((arg) => arg === undefined) || args.length !== call.types.length) return undefined;
  return (input, context) => {
    const values = args.map((arg) => arg!(input, context));
    if (!values.every((value, i) => fits(value, call.types[i]))) return NEEDS_JSONATA;
    return call.fn(...values);
  };
}

/** A path of plain names, or `$ctx.<name>…`; anything with predicates, wildcards or stages is not. */
function plainPath(
  ast: AstNode,
): ((input: unknown, context: Record<string, unknown>) => unknown) | undefined {
  if (ast.type !== 'path' || !ast.steps || ast.steps.length === 0) return undefined;
  const steps = ast.steps;
  const fromContext = steps[0].type === 'variable' && steps[0].value === 'ctx';
  const names = fromContext ? steps.slice(1) : steps;
  const plain = (step: AstNode) =>
    step.type === 'name' &&
    typeof step.value === 'string' &&
    [step.predicate, step.stages, step.group, step.focus, step.index, step.tuple].every(
      (x) => x === undefined,
    );
  if (!names.every(plain)) return undefined;
  const keys = names.map((step) => step.value as string);
  return (input, context) => {
    let current: unknown = fromContext ? context : input;
    for (const key of keys) {
      // JSONata maps a path over a list; that is its business, not ours.
      if (Array.isArray(current)) return [NEEDS_JSONATA];
      if (current == null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  };
}

/** A function's plain form and the type of each argument (JSONata signature letters). */
function callable(name: string): { fn: (...args: unknown[]) => unknown; types: string[] } | undefined {
  if (name === 'string') return { fn: (value) => String(value), types: ['scalar'] };
  const known = MAPPING_FUNCTIONS[name];
  if (!known) return undefined;
  const match = /^<([^:]*):([^>]*)>?/.exec(known.signature);
  // Functions that answer a list stay with JSONata (its sequences flatten single values).
  if (!match || match[2].startsWith('a')) return undefined;
  const types = [...match[1].replace(/[-?+]/g, '')];
  if (!types.every((type) => 'sxon'.includes(type))) return undefined;
  return { fn: known.fn, types };
}

function fits(value: unknown, type: string): boolean {
  if (value === undefined || value === null || Array.isArray(value)) return false;
  switch (type) {
    case 's':
      return typeof value === 'string';
    case 'n':
      return typeof value === 'number';
    case 'o':
      return typeof value === 'object';
    case 'scalar':
      return typeof value === 'string' || typeof value === 'boolean' || Number.isSafeInteger(value);
    default:
      return typeof value !== 'function';
  }
}
