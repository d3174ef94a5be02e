import { MAPPING_FUNCTIONS } from './jsonata-functions';
import { binaryOperator, callable, fits, NEEDS_JSONATA, type Plain, truthOf } from './plain-operators';

export { NEEDS_JSONATA } from './plain-operators';

/**
 * The variables a block binds (`$a := …`), known when compiling: each holds the value its binding gave at run
 * time. Plain functions run synchronously, one record at a time, so one holder per binding is enough.
 */
type Scope = Map<string, { value: unknown }>;

interface AstNode {
  type: string;
  value?: unknown;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  lhs?: unknown;
  rhs?: AstNode;
  expressions?: AstNode[];
  steps?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  predicate?: unknown;
  stages?: unknown;
  group?: unknown;
  focus?: unknown;
  index?: unknown;
  tuple?: unknown;
  body?: AstNode;
  keepArray?: boolean;
}

/**
 * The expressions most mappings are made of, run as plain functions: a path (`billing.phone`, `$ctx.currency`,
 * `$$.currency`), a literal, one of our functions (or `$string`, `$not`, `$number`, `$contains`) applied to such
 * expressions (`$toUtc(createdAt)`), a conditional (`billingAddress ? { 'kind': 'billing', … }`), a comparison
 * (`=`, `!=`, `<`, `in [...]`), `and`/`or`, `&` of texts, object and array constructors, `[lines.{ … }]`,
 * `[tags[condition]]`, `$append(a, b)[n]` of such lists, `$map(list, function($v, $i) { … })` with a lambda
 * written in place, `$list`, `$root`, and blocks binding variables (`( $a := billingAddress; { … } )`, a list too). Whenever an input
 * could make JSONata answer differently (a list where a value was expected, a missing or mistyped argument,
 * values of two types compared), the function answers NEEDS_JSONATA and JSONata evaluates. Undefined for any
 * other shape: JSONata evaluates it always.
 */
export function plainExpression(
  ast: object,
): ((input: unknown, context: Record<string, unknown>, mappingRoot?: unknown) => unknown) | undefined {
  // `$root`: the record the mapping started from (the input itself, for a top-level field).
  const root = { value: undefined as unknown };
  const fn = compile(ast as AstNode, new Map([['root', root]]));
  if (!fn) return undefined;
  return (input, context, mappingRoot) => {
    root.value = mappingRoot ?? input;
    return fn(input, context);
  };
}

function compile(ast: AstNode, scope: Scope = new Map()): Plain | undefined {
  const path = plainPath(ast, scope) ?? plainPickedPath(ast, scope);
  if (path) {
    return (input, context, root) => {
      const value = path(input, context, root);
      return Array.isArray(value) ? NEEDS_JSONATA : value;
    };
  }
  switch (ast.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = ast.value;
      return () => value;
    }
    case 'function':
      return ast.predicate ? plainPicked(ast, scope) : plainCall(ast, scope);
    case 'block':
      return ast.predicate ? plainPickedPath(ast, scope) : plainBlock(ast, scope);
    case 'condition':
      return plainCondition(ast, scope);
    case 'binary':
      return plainBinary(ast, scope);
    case 'unary':
      return ast.value === '{'
        ? plainObject(ast, scope)
        : ast.value === '['
          ? plainArray(ast, scope)
          : undefined;
    case 'variable':
      return plainVariable(ast, scope);
    default:
      return undefined;
  }
}

/** Every part compiled, or undefined when one cannot be. */
function all(nodes: AstNode[], scope: Scope): Plain[] | undefined {
  const parts = nodes.map((node) => compile(node, scope));
  return parts.every((part) => part !== undefined) ? parts : undefined;
}

/** Functions of a whole list, given it as JSONata takes a sequence; an item they cannot take is JSONata's. */
const LIST_FUNCTIONS: Record<string, (items: unknown[]) => unknown> = {
  count: (items) => items.length,
  // Amounts as texts or numbers; anything else is JSONata's to refuse.
  dsum: (items) =>
    items.every((item) => typeof item === 'string' || typeof item === 'number' || item === null)
      ? MAPPING_FUNCTIONS.dsum.fn(items)
      : NEEDS_JSONATA,
  fromEntries: (items) =>
    items.every((item) => typeof item === 'object' && item !== null)
      ? MAPPING_FUNCTIONS.fromEntries.fn(items)
      : NEEDS_JSONATA,
};

function plainCall(ast: AstNode, scope: Scope): Plain | undefined {
  if (ast.procedure?.type !== 'variable' || !ast.arguments) return undefined;
  const ofList = LIST_FUNCTIONS[String(ast.procedure.value)];
  if (ofList && ast.arguments.length === 1) {
    const list = plainList(ast.arguments[0], scope);
    if (!list) return undefined;
    return (input, context, root) => {
      const items = list(input, context, root);
      return items === NEEDS_JSONATA ? NEEDS_JSONATA : ofList(items);
    };
  }
  // `$exists(list[condition])`: whether the condition holds for any element.
  if (ast.procedure.value === 'exists' && ast.arguments.length === 1) {
    const node = ast.arguments[0];
    const last = node.steps?.[node.steps.length - 1];
    const filtered = last?.stages !== undefined ? plainMappedPath(node, scope) : undefined;
    if (!filtered) return undefined;
    return (input, context, root) => {
      const items = filtered(input, context, root);
      return items === NEEDS_JSONATA ? NEEDS_JSONATA : items.length > 0;
    };
  }
  const call = callable(String(ast.procedure.value));
  if (!call || ast.arguments.length !== call.types.length) return undefined;
  // A pattern written in place goes only where a function takes one (`$contains`), built once.
  const args = ast.arguments.map((arg, i) =>
    arg.type !== 'regex' ? compile(arg, scope) : call.types[i] === 'pattern' ? patternOf(arg) : undefined,
  );
  if (!args.every((arg) => arg !== undefined)) return undefined;
  return (input, context, root) => {
    const values = args.map((arg) => arg(input, context, root));
    if (values.includes(NEEDS_JSONATA)) return NEEDS_JSONATA;
    if (!values.every((value, i) => fits(value, call.types[i]))) return NEEDS_JSONATA;
    return call.fn(...values);
  };
}

/**
 * A regular expression written in place, as a value: JSONata marks every one global (`g`), which would make a
 * test remember where it last matched; its matcher looks from the start each time, so the copy here is not.
 */
function patternOf(ast: AstNode): Plain {
  const written = ast.value as RegExp;
  const pattern = new RegExp(written.source, written.flags.replace('g', ''));
  return () => pattern;
}

/** A list of values, for `$append` and `[n]` to take from. */
type PlainList = (
  input: unknown,
  context: Record<string, unknown>,
  root?: unknown,
) => unknown[] | typeof NEEDS_JSONATA;

/**
 * An expression answering a list: `list[condition]`, `list.{ … }`, `$append(a, b)` of such, or a path, whose
 * value is taken as JSONata takes a sequence (nothing: empty; one value: a list of one). Lists of lists are
 * JSONata's to flatten.
 */
function plainList(ast: AstNode, scope: Scope): PlainList | undefined {
  const called = ast.type === 'function' && !ast.predicate && ast.procedure?.type === 'variable';
  const name = called ? String(ast.procedure!.value) : undefined;
  if (name === 'map' && ast.arguments?.length === 2) return plainMapCall(ast.arguments, scope);
  if (name === 'list' && ast.arguments?.length === 1) {
    // Our $list: nothing (null too) is an empty list, one value a list of one.
    const list = plainList(ast.arguments[0], scope);
    if (!list) return undefined;
    return (input, context, root) => {
      const items = list(input, context, root);
      return items === NEEDS_JSONATA ? NEEDS_JSONATA : items.length === 1 && items[0] === null ? [] : items;
    };
  }
  if (ast.type === 'variable' && scope.has(String(ast.value))) {
    const bound = scope.get(String(ast.value))!;
    return () => asList(bound.value);
  }
  if (name === 'split' && ast.arguments?.length === 2) {
    // A text split at a text; a pattern, a limit, or anything but a text to split is JSONata's.
    const [text, separator] = all(ast.arguments, scope) ?? [];
    if (!text || !separator) return undefined;
    return (input, context, root) => {
      const [value, at] = [text(input, context, root), separator(input, context, root)];
      if (value === undefined) return [];
      return typeof value === 'string' && typeof at === 'string' ? value.split(at) : NEEDS_JSONATA;
    };
  }
  if (name === 'append' && ast.arguments?.length === 2) {
    const [first, second] = ast.arguments.map((arg) => plainList(arg, scope));
    if (!first || !second) return undefined;
    return (input, context, root) => {
      const a = first(input, context, root);
      if (a === NEEDS_JSONATA) return NEEDS_JSONATA;
      const b = second(input, context, root);
      return b === NEEDS_JSONATA ? NEEDS_JSONATA : [...a, ...b];
    };
  }
  if (ast.type === 'unary' && ast.value === '[') return plainJoined(ast.expressions ?? [], scope);
  const made = plainMap(ast, scope) ?? plainFilter(ast, scope) ?? plainMappedPath(ast, scope);
  if (made) return made as PlainList;
  const path = plainPath(ast, scope);
  if (!path) return undefined;
  return (input, context, root) => asList(path(input, context, root));
}

/**
 * `[a[condition], b]` taken as a list: each item's list in turn, as JSONata's array constructor appends them. An
 * item that is itself `[ … ]` stays a list inside the list: JSONata's.
 */
function plainJoined(nodes: AstNode[], scope: Scope): PlainList | undefined {
  if (nodes.some((node) => node.type === 'unary' && node.value === '[')) return undefined;
  const lists = nodes.map((node) => plainList(node, scope));
  if (!lists.every((list) => list !== undefined)) return undefined;
  return (input, context, root) => {
    const out: unknown[] = [];
    for (const list of lists) {
      const items = list(input, context, root);
      if (items === NEEDS_JSONATA) return NEEDS_JSONATA;
      out.push(...items);
    }
    return out;
  };
}

/**
 * `([addresses[isDefault], addresses])[0].city`, `(meta_data[key = 'x'].value)[0]`: an item picked from a
 * list built in brackets or read by a path (see plainPicked), then names read from it as a path reads them:
 * the default address's city, else the first address's.
 */
function plainPickedPath(ast: AstNode, scope: Scope): Plain | undefined {
  const [head, ...names] = ast.type === 'path' && ast.steps ? ast.steps : [ast];
  const made = head.expressions?.length === 1 ? head.expressions[0] : undefined;
  if (head.type !== 'block' || !head.predicate || !made) return undefined;
  if (head.stages || head.group || head.focus || head.index || head.tuple) return undefined;
  const bracketed = made.type === 'unary' && made.value === '[';
  if (!bracketed && made.type !== 'path') return undefined;
  // Nothing picked from a list built in brackets, with no name after it, JSONata answers an empty list.
  if (bracketed && names.length === 0) return undefined;
  const picked = plainPicked({ ...made, predicate: head.predicate }, scope);
  if (!picked || names.length === 0) return picked;
  // The names read from the picked item, as a path from a variable holding it.
  const holder = { value: undefined as unknown };
  const variable = '\u0000picked';
  const rest = plainPath(
    { type: 'path', steps: [{ type: 'variable', value: variable }, ...names] },
    new Map(scope).set(variable, holder),
  );
  if (!rest) return undefined;
  return (input, context, root) => {
    const item = picked(input, context, root);
    if (item === NEEDS_JSONATA) return NEEDS_JSONATA;
    holder.value = item;
    return rest(input, context, root);
  };
}

/** `$map(…)`, `$append(…)` or `$list(…)`: a call answering a list. */
function isListCall(ast: AstNode): boolean {
  return ['map', 'append', 'list'].some((name) => isCallOf(ast, name));
}

/** A call of the function `name`, written in place (`$name(…)`), nothing picked from what it answers. */
function isCallOf(ast: AstNode, name: string): boolean {
  return (
    ast.type === 'function' &&
    !ast.predicate &&
    ast.procedure?.type === 'variable' &&
    ast.procedure.value === name
  );
}

/** A value as JSONata takes a sequence: nothing is empty, one value a list of one; lists of lists are its own. */
function asList(value: unknown): unknown[] | typeof NEEDS_JSONATA {
  if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [value];
  // A copy: the mapped record must not share a list with the source record.
  return value.some(Array.isArray) ? NEEDS_JSONATA : [...value];
}

/**
 * `$map(list, function($v, $i) { … })`: the body for each item, `$v` the item and `$i` its position (both
 * optional); what the body leaves undefined is left out, as JSONata does.
 */
function plainMapCall(args: AstNode[], scope: Scope): PlainList | undefined {
  const [listNode, lambda] = args;
  const params = (lambda.arguments ?? []).map((param) => String(param.value));
  if (lambda.type !== 'lambda' || params.length > 2 || !lambda.body) return undefined;
  if (params.some((param) => ['', '$', 'ctx', 'root'].includes(param))) return undefined;
  const list = plainList(listNode, scope);
  const inner: Scope = new Map(scope);
  const holders = params.map((param) => {
    const holder = { value: undefined as unknown };
    inner.set(param, holder);
    return holder;
  });
  const body = compile(lambda.body, inner);
  if (!list || !body) return undefined;
  return (input, context, root) => {
    const items = list(input, context, root);
    if (items === NEEDS_JSONATA) return NEEDS_JSONATA;
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      if (holders[0]) holders[0].value = items[i];
      if (holders[1]) holders[1].value = i;
      const value = body(input, context, root);
      if (value === NEEDS_JSONATA || Array.isArray(value)) return NEEDS_JSONATA;
      if (value !== undefined) out.push(value);
    }
    return out;
  };
}

/**
 * `$append(…)[n]`, `$map(…)[$ >= 0][0]`: a list's items through each predicate in turn, a position written out
 * (from 0) or a condition on each item (`$` the item). One item left is the answer, none is nothing; more are a
 * sequence, JSONata's.
 */
function plainPicked(ast: AstNode, scope: Scope): Plain | undefined {
  const predicates = ast.predicate as { type: string; expr: AstNode }[];
  const stages = predicates.map(({ type, expr }) => {
    if (type !== 'filter') return undefined;
    // A position from the start (0 first) or, below 0, from the end (-1 last).
    if (expr.type === 'number') return Number.isInteger(expr.value) ? (expr.value as number) : undefined;
    return compile(expr, scope);
  });
  const list = plainList({ ...ast, predicate: undefined }, scope);
  if (!list || stages.some((stage) => stage === undefined)) return undefined;
  return (input, context, root) => {
    let items = list(input, context, root);
    for (const stage of stages) {
      if (items === NEEDS_JSONATA) return NEEDS_JSONATA;
      if (typeof stage === 'number') {
        const at = stage < 0 ? items.length + stage : stage;
        items = at >= 0 && at < items.length ? [items[at]] : [];
      } else items = kept(items, stage as Plain, context, root ?? input);
    }
    if (items === NEEDS_JSONATA) return NEEDS_JSONATA;
    return items.length === 0 ? undefined : items.length === 1 ? items[0] : NEEDS_JSONATA;
  };
}

/** `c ? a : b`: JSONata's truth of `c` (undefined is false), then one branch. */
function plainCondition(ast: AstNode, scope: Scope): Plain | undefined {
  const [condition, then] = all([ast.condition!, ast.then!], scope) ?? [];
  const otherwise = ast.else ? compile(ast.else, scope) : () => undefined;
  if (!condition || !then || !otherwise) return undefined;
  return (input, context, root) => {
    const truth = truthOf(condition(input, context, root));
    if (truth === NEEDS_JSONATA) return NEEDS_JSONATA;
    return truth ? then(input, context, root) : otherwise(input, context, root);
  };
}

function plainBinary(ast: AstNode, scope: Scope): Plain | undefined {
  const sides = all([ast.lhs as AstNode, ast.rhs as AstNode], scope);
  return sides ? binaryOperator(String(ast.value), sides[0], sides[1]) : undefined;
}

/** `{ 'key': expr, … }` on the input: keys are texts written out; a value that is missing leaves its key out. */
function plainObject(ast: AstNode, scope: Scope): Plain | undefined {
  const pairs = ast.lhs as [AstNode, AstNode][];
  if (!Array.isArray(pairs) || !pairs.every(([key]) => key.type === 'string')) return undefined;
  const keys = pairs.map(([key]) => String(key.value));
  if (new Set(keys).size !== keys.length) return undefined;
  // `'values': $list(values)`: our $list answers a list (never a sequence, which JSONata would unwrap when it
  // holds one item, as $map's and $append's may), kept as it is.
  const listed = pairs.map(([, value]) => isCallOf(value, 'list'));
  const values = pairs.map(([, value], i) =>
    listed[i] ? (plainList(value, scope) as Plain | undefined) : compile(value, scope),
  );
  if (!values.every((value) => value !== undefined)) return undefined;
  // A value written as `[…]` is a list JSONata keeps as it is; any other list is a sequence, JSONata's to shape.
  const constructed = pairs.map(
    ([, value], i) => (value.type === 'unary' && value.value === '[') || listed[i],
  );
  return (input, context, root) => {
    // JSONata maps an object constructor over a list input; that is its business.
    if (Array.isArray(input)) return NEEDS_JSONATA;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const value = values[i](input, context, root);
      if (value === NEEDS_JSONATA || (Array.isArray(value) && !constructed[i])) return NEEDS_JSONATA;
      if (value !== undefined) out[keys[i]] = value;
    }
    return out;
  };
}

/** `[a, b]`: each item that is there, in order; an item that is a list is JSONata's to flatten. */
function plainArray(ast: AstNode, scope: Scope): Plain | undefined {
  const nodes = ast.expressions ?? [];
  // An item that maps a list adds each of its objects; any other item adds itself.
  const items = nodes.map((node) => {
    const list =
      plainMap(node, scope) ??
      plainFilter(node, scope) ??
      plainMappedPath(node, scope) ??
      (node.type === 'function' && !node.predicate ? plainList(node, scope) : undefined);
    return list ? { fn: list, spread: true } : { fn: compile(node, scope), spread: false };
  });
  if (!items.every((item) => item.fn !== undefined)) return undefined;
  return (input, context, root) => {
    const out: unknown[] = [];
    for (const { fn, spread } of items) {
      const value = fn!(input, context, root);
      if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
      if (spread) out.push(...(value as unknown[]));
      else if (Array.isArray(value)) return NEEDS_JSONATA;
      else if (value !== undefined) out.push(value);
    }
    return out;
  };
}

/** `$` (the item looked at), `$$` (the record) or a variable a block bound. */
function plainVariable(ast: AstNode, scope: Scope): Plain | undefined {
  const bound = scope.get(String(ast.value));
  const read: Plain | undefined = bound
    ? () => bound.value
    : ast.value === ''
      ? (input) => input
      : ast.value === '$'
        ? (input, _context, root) => root ?? input
        : undefined;
  if (!read) return undefined;
  return (input, context, root) => {
    const value = read(input, context, root);
    return Array.isArray(value) ? NEEDS_JSONATA : value;
  };
}

/** `( $a := …; … )`: each binding in order, then the block's last expression. */
function plainBlock(ast: AstNode, outer: Scope): Plain | undefined {
  // `( … )[n]` picks from what the block answers: see plainPickedPath.
  if (ast.predicate || ast.stages) return undefined;
  const scope: Scope = new Map(outer);
  const steps: { fn: Plain; holder?: { value: unknown }; list?: boolean }[] = [];
  const expressions = ast.expressions ?? [];
  for (const expression of expressions) {
    if (expression.type === 'bind') {
      const target = expression.lhs as AstNode;
      // A variable may hold a list ($list, $map, $append): what reads it takes it as a list, or hands it over.
      const rhs = expression.rhs!;
      const fn = (isListCall(rhs) ? plainList(rhs, scope) : undefined) ?? compile(rhs, scope);
      if (target.type !== 'variable' || !fn || ['', '$', 'ctx', 'root'].includes(String(target.value)))
        return undefined;
      const holder = { value: undefined as unknown };
      scope.set(String(target.value), holder);
      steps.push({ fn, holder });
    } else {
      const fn = compile(expression, scope);
      if (!fn) return undefined;
      // The block's answer may be a list its last expression constructs (`[ … ]`).
      const constructed = expression.type === 'unary' && expression.value === '[';
      steps.push({ fn, list: constructed && expression === expressions[expressions.length - 1] });
    }
  }
  if (steps.length === 0 || steps[steps.length - 1].holder) return undefined;
  return (input, context, root) => {
    let value: unknown;
    for (const { fn, holder, list } of steps) {
      value = fn(input, context, root);
      if (value === NEEDS_JSONATA || (Array.isArray(value) && !holder && !list)) return NEEDS_JSONATA;
      if (holder) holder.value = value;
    }
    return value;
  };
}

/**
 * `list[condition]` inside `[ … ]`: the elements for which the condition holds, `$` being the element (a
 * single value counts as a list of one). A condition that answers a number picks by position: JSONata's.
 */
function plainFilter(ast: AstNode, scope: Scope): Plain | undefined {
  if (ast.type !== 'path' || !ast.steps || ast.steps.length === 0) return undefined;
  const last = ast.steps[ast.steps.length - 1];
  const stages = last.stages as { type: string; expr: AstNode }[] | undefined;
  if (last.type !== 'name' || !stages || stages.length !== 1 || stages[0].type !== 'filter') return undefined;
  // `list[0]` picks by position: a path's (see plainPath).
  if (positionOf(last) !== undefined) return undefined;
  if (last.predicate || last.group || last.focus || last.index || last.tuple) return undefined;
  const list = plainPath(
    { ...ast, steps: [...ast.steps.slice(0, -1), { ...last, stages: undefined }] },
    scope,
  );
  const condition = compile(stages[0].expr, scope);
  if (!list || !condition) return undefined;
  return (input, context, root) => {
    const value = list(input, context, root);
    if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
    if (value === undefined) return keptOfNothing(condition, context, root ?? input);
    return kept(Array.isArray(value) ? value : [value], condition, context, root ?? input);
  };
}

/**
 * A condition on a name that holds nothing: JSONata then tests the condition once, on nothing, and a true one
 * (`missing[true].{ … }`) makes one object of nothing. False keeps nothing; true is JSONata's.
 */
function keptOfNothing(
  condition: Plain,
  context: Record<string, unknown>,
  root: unknown,
): [] | typeof NEEDS_JSONATA {
  const verdict = condition(undefined, context, root);
  if (verdict === NEEDS_JSONATA || typeof verdict === 'number') return NEEDS_JSONATA;
  const truth = truthOf(verdict);
  return truth === false ? [] : NEEDS_JSONATA;
}

/**
 * The items `condition` holds for (`$` the item, `$$` the record), as a JSONata filter keeps them. A condition
 * answering a number picks by position, and an item that is a list is flattened: both JSONata's.
 */
function kept(
  items: unknown[],
  condition: Plain,
  context: Record<string, unknown>,
  root: unknown,
): unknown[] | typeof NEEDS_JSONATA {
  const out: unknown[] = [];
  for (const item of items) {
    if (Array.isArray(item)) return NEEDS_JSONATA;
    const verdict = condition(item, context, root);
    if (verdict === NEEDS_JSONATA || typeof verdict === 'number') return NEEDS_JSONATA;
    const truth = truthOf(verdict);
    if (truth === NEEDS_JSONATA) return NEEDS_JSONATA;
    if (truth) out.push(item);
  }
  return out;
}

/**
 * A path of plain names from the item, `$$.<name>…` from the record or `$ctx.<name>…` from the context; anything
 * with predicates, wildcards or stages is not. What it ends on is answered as it is, a list too; a list met
 * before the last name is NEEDS_JSONATA (JSONata maps a path over a list).
 */
function plainPath(ast: AstNode, scope: Scope): Plain | undefined {
  if (ast.type !== 'path' || !ast.steps || ast.steps.length === 0) return undefined;
  const steps = ast.steps;
  const start = steps[0].type === 'variable' ? String(steps[0].value) : undefined;
  const bound = start !== undefined ? scope.get(start) : undefined;
  if (start !== undefined && start !== 'ctx' && start !== '$' && !bound) return undefined;
  if (steps[0].predicate || (start !== undefined && steps[0].stages)) return undefined;
  const names = start === undefined ? steps : steps.slice(1);
  const plain = (step: AstNode) =>
    step.type === 'name' &&
    typeof step.value === 'string' &&
    [step.predicate, step.group, step.focus, step.index, step.tuple].every((x) => x === undefined) &&
    (step.stages === undefined || positionOf(step) !== undefined);
  if (names.length === 0 || !names.every(plain)) return undefined;
  const keys = names.map((step) => step.value as string);
  const positions = names.map(positionOf);
  return (input, context, root) => {
    let current: unknown = bound
      ? bound.value
      : start === 'ctx'
        ? context
        : start === '$'
          ? (root ?? input)
          : input;
    for (let i = 0; i < keys.length; i++) {
      if (Array.isArray(current)) return NEEDS_JSONATA;
      if (current == null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[keys[i]];
      const position = positions[i];
      if (position === undefined || current === undefined) continue;
      // `name[n]`: the nth of the list; a single value is a list of one.
      const items = Array.isArray(current) ? current : [current];
      if (items.some(Array.isArray)) return NEEDS_JSONATA;
      current = items[position];
    }
    return current;
  };
}

/**
 * `[contacts.destinationId]`, `meta_data[key = 'x'].value`: a path of names from the item, read over every
 * element of each list it meets (a list of contacts gives each contact's id), as JSONata maps a path; missing
 * values are left out, and a name may keep only the elements a condition holds for (see kept). A list of
 * lists on the way, and a position, are JSONata's.
 */
function plainMappedPath(ast: AstNode, scope: Scope): PlainList | undefined {
  if (ast.type !== 'path' || !ast.steps || ast.steps.length === 0 || ast.keepArray) return undefined;
  const steps = ast.steps.map((step) => {
    if (step.type !== 'name' || typeof step.value !== 'string') return undefined;
    if ([step.predicate, step.group, step.focus, step.index, step.tuple].some((x) => x !== undefined))
      return undefined;
    const stages = step.stages as { type: string; expr: AstNode }[] | undefined;
    if (!stages) return { key: step.value };
    if (stages.length !== 1 || stages[0].type !== 'filter' || positionOf(step) !== undefined)
      return undefined;
    const condition = compile(stages[0].expr, scope) ?? plainTruthOfList(stages[0].expr, scope);
    return condition ? { key: step.value, condition } : undefined;
  });
  if (!steps.every((step) => step !== undefined)) return undefined;
  return (input, context, root) => {
    let current: unknown[] | typeof NEEDS_JSONATA = [input];
    for (const { key, condition } of steps as { key: string; condition?: Plain }[]) {
      const next: unknown[] = [];
      for (const item of current) {
        if (item === null || typeof item !== 'object') continue;
        if (Array.isArray(item)) return NEEDS_JSONATA;
        const value = (item as Record<string, unknown>)[key];
        if (value === undefined) continue;
        if (!Array.isArray(value)) next.push(value);
        else if (value.some(Array.isArray)) return NEEDS_JSONATA;
        else next.push(...value);
      }
      if (!condition) current = next;
      else if (next.length > 0) current = kept(next, condition, context, root ?? input);
      else current = keptOfNothing(condition, context, root ?? input);
      if (current === NEEDS_JSONATA) return NEEDS_JSONATA;
    }
    return current;
  };
}

/**
 * A filter's condition that reads a list (`fee_lines[meta_data[key = 'kind']]`): JSONata's truth of it, true
 * when an element is true (of one element, its own truth). Numbers would pick by position: JSONata's.
 */
function plainTruthOfList(ast: AstNode, scope: Scope): Plain | undefined {
  const list = plainMappedPath(ast, scope);
  if (!list) return undefined;
  return (input, context, root) => {
    const items = list(input, context, root);
    // Numbers pick by position (a list of them too): JSONata's.
    if (items === NEEDS_JSONATA || (items.length > 0 && items.every((item) => typeof item === 'number')))
      return NEEDS_JSONATA;
    let truth = false;
    for (const item of items) {
      const one = truthOf(item);
      if (one === NEEDS_JSONATA) return NEEDS_JSONATA;
      truth ||= one;
    }
    return truth;
  };
}

/** The position a step picks (`variants[0]`): one filter stage holding a whole number, or undefined. */
function positionOf(step: AstNode): number | undefined {
  const stages = step.stages as { type: string; expr: AstNode }[] | undefined;
  if (stages?.length !== 1 || stages[0].type !== 'filter') return undefined;
  const { expr } = stages[0];
  return expr.type === 'number' && Number.isInteger(expr.value) && (expr.value as number) >= 0
    ? (expr.value as number)
    : undefined;
}

/**
 * `list.{ … }` inside `[ … ]`: the object made for each element of the list (one element when the path ends on
 * a single object, none when on nothing), with `$$` still the record. Elements that are not objects, and lists
 * of lists, are JSONata's to flatten.
 */
function plainMap(
  ast: AstNode,
  scope: Scope,
): ((input: unknown, context: Record<string, unknown>, root?: unknown) => unknown) | undefined {
  if (ast.type !== 'path' || !ast.steps || ast.steps.length < 2) return undefined;
  const last = ast.steps[ast.steps.length - 1];
  if (last.type !== 'unary' || last.value !== '{' || last.stages || last.predicate || last.group)
    return undefined;
  const listPath = { ...ast, steps: ast.steps.slice(0, -1) };
  // `list[condition].{ … }`: the elements the condition keeps, each made into an object.
  const list = plainFilter(listPath, scope) ?? plainPath(listPath, scope) ?? plainEntries(listPath, scope);
  const each = plainObject(last, scope);
  if (!list || !each) return undefined;
  return (input, context, root) => {
    const value = list(input, context, root);
    if (value === NEEDS_JSONATA) return NEEDS_JSONATA;
    if (value === undefined) return [];
    const items = Array.isArray(value) ? value : [value];
    const out: unknown[] = [];
    for (const item of items) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return NEEDS_JSONATA;
      const made = each(item, context, root ?? input);
      if (made === NEEDS_JSONATA) return NEEDS_JSONATA;
      out.push(made);
    }
    return out;
  };
}

/** `$entries(options)` as the list a path maps: an object's keys and values as `{name, value}` items. */
function plainEntries(ast: AstNode, scope: Scope): Plain | undefined {
  const [call] = ast.steps ?? [];
  if (ast.steps?.length !== 1 || !isCallOf(call, 'entries') || call.stages) return undefined;
  const argument = call.arguments?.length === 1 ? compile(call.arguments[0], scope) : undefined;
  if (!argument) return undefined;
  return (input, context, root) => {
    const value = argument(input, context, root);
    // Anything but an object (or nothing) is JSONata's to refuse as its signature does.
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value)))
      return NEEDS_JSONATA;
    return MAPPING_FUNCTIONS.entries.fn(value);
  };
}
