import jsonata from 'jsonata';
import { SwitchyardError } from '../common/errors';
import { readPath } from './field-path';
import { MAPPING_FUNCTIONS } from './jsonata-functions';
import { NEEDS_JSONATA, plainExpression } from './plain-expression';
import type { FieldSpec, MappingFile } from './mapping-file.schema';
import { scalarText } from '../common/text';

/** Values every expression can read: `$ctx` (platform facts such as the shop currency) and `$root`. */
export interface MappingContext {
  currency?: string;
  [key: string]: unknown;
}

export type CompiledDirection = (
  input: Record<string, unknown>,
  context: MappingContext,
) => Promise<Record<string, unknown>>;

/** A field's value: plain, or a promise when (and only when) JSONata had to evaluate an expression. */
type Value = unknown;
type FieldFn = (input: unknown, root: unknown, context: MappingContext) => Value;

/** Applies `next` to a value, or to what a promise settles to: no promise is made where none is needed. */
function then(value: Value, next: (settled: unknown) => unknown): Value {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * Compiles one direction of a mapping file into a function. Paths, value maps, defaults, references and the
 * common expressions run as plain functions; JSONata, parsed once per run, only evaluates what needs it.
 */
export function compileDirection(
  mapping: Pick<MappingFile, 'mapping'>,
  fields: Record<string, FieldSpec | string>,
  extra?: { consumes: string[] },
): CompiledDirection {
  const compiled = compileFields(mapping.mapping, fields, '');
  const consumed = extra ? new Set([...extra.consumes, ...topLevelPaths(fields)]) : undefined;
  return async (input, context) => {
    const output = (await compiled(input, input, context)) as Record<string, unknown>;
    if (consumed) {
      const leftover = Object.fromEntries(Object.entries(input).filter(([key]) => !consumed.has(key)));
      output.extra = { ...leftover, ...(output.extra ?? {}) };
    }
    return output;
  };
}

function compileFields(mappingId: string, fields: Record<string, FieldSpec | string>, prefix: string) {
  const compiled = Object.entries(fields).map(
    ([name, spec]) => [name, compileField(mappingId, spec, prefix + name)] as const,
  );
  return (input: unknown, root: unknown, context: MappingContext): Value => {
    const output: Record<string, unknown> = {};
    let pending: Promise<void>[] | undefined;
    for (const [name, fn] of compiled) {
      const value = fn(input, root, context);
      if (value instanceof Promise)
        (pending ??= []).push(
          value.then((settled) => {
            if (settled !== undefined) output[name] = settled;
          }),
        );
      else if (value !== undefined) output[name] = value;
    }
    if (!pending) return output;
    // Fields keep the mapping's order whichever settled first.
    return Promise.all(pending).then(() =>
      Object.fromEntries(compiled.filter(([name]) => name in output).map(([name]) => [name, output[name]])),
    );
  };
}

function compileField(mappingId: string, raw: FieldSpec | string, where: string): FieldFn {
  const spec: FieldSpec = typeof raw === 'string' ? { path: raw } : raw;
  const base = compileBase(mappingId, spec, where);
  const finish = (input: unknown) => (settled: unknown) => {
    let value = settled;
    if (spec.map) value = applyValueMap(spec.map, value);
    if ((value === undefined || value === null || value === '') && spec.default !== undefined)
      value = spec.default;
    if (spec.ref) {
      if (value === undefined || value === null || value === '' || value === 0 || value === '0') return null;
      return {
        entity: spec.ref,
        sourceId: scalarText(value),
        ...(spec.sku ? { sku: (readPath(input, spec.sku) as string | undefined) ?? null } : {}),
      };
    }
    return value;
  };
  if (!spec.map && spec.default === undefined && !spec.ref) return base;
  return (input, root, context) => then(base(input, root, context), finish(input));
}

function compileBase(mappingId: string, spec: FieldSpec, where: string): FieldFn {
  if (spec.each !== undefined && spec.fields) {
    const eachPath = spec.each;
    const item = compileFields(mappingId, spec.fields, `${where}.`);
    return (input, root, context) => {
      const list = readPath(input, eachPath);
      if (list == null) return [];
      const items = (Array.isArray(list) ? list : [list]).map((element) => item(element, root, context));
      return items.some((value) => value instanceof Promise) ? Promise.all(items) : items;
    };
  }
  if (spec.expr !== undefined) {
    const expression = compileExpression(mappingId, spec.expr, where);
    const evaluate = (input: unknown, root: unknown, context: MappingContext) =>
      expression.evaluate(input, { root, ctx: context }).then(unwrapSequence);
    const plain = plainExpression(expression.ast());
    if (!plain) return evaluate;
    return (input, root, context) => {
      const value = plain(input, context, root);
      return value === NEEDS_JSONATA ? evaluate(input, root, context) : value;
    };
  }
  if (spec.value !== undefined) {
    const constant = spec.value;
    return () => structuredClone(constant);
  }
  if (spec.path !== undefined) {
    const path = spec.path;
    return (input) => readPath(input, path);
  }
  return () => undefined;
}

function compileExpression(mappingId: string, source: string, where: string) {
  try {
    const expression = jsonata(source);
    for (const [name, { fn, signature }] of Object.entries(MAPPING_FUNCTIONS)) {
      expression.registerFunction(name, fn, signature);
    }
    return expression;
  } catch (error) {
    const message = (error as { message?: string }).message ?? String(error);
    throw new SwitchyardError(
      'MAPPING_INVALID',
      `mapping ${mappingId}, field ${where}: bad JSONata expression: ${message}`,
    );
  }
}

/** A value through a value map; a list maps each of its values. */
function applyValueMap(map: Record<string, unknown>, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (Array.isArray(value)) return value.map((element) => applyValueMap(map, element));
  const key = scalarText(value);
  if (Object.prototype.hasOwnProperty.call(map, key)) return map[key];
  return Object.prototype.hasOwnProperty.call(map, '*') ? map['*'] : value;
}

/** JSONata returns sequences as arrays carrying a `sequence` flag; hand plain values to zod. */
function unwrapSequence(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value);
  return value;
}

function topLevelPaths(fields: Record<string, FieldSpec | string>): string[] {
  return Object.values(fields).flatMap((raw) => {
    const spec: FieldSpec = typeof raw === 'string' ? { path: raw } : raw;
    const path = spec.path ?? spec.each;
    return path && path !== '$' ? [path.split(/[.[]/)[0]] : [];
  });
}
