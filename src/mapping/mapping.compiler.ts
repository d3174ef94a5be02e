import jsonata from 'jsonata';
import { SwitchyardError } from '../common/errors';
import { readPath } from './field-path';
import { MAPPING_FUNCTIONS } from './jsonata-functions';
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

type FieldFn = (input: unknown, root: unknown, context: MappingContext) => Promise<unknown>;

/**
 * Compiles one direction of a mapping file into a function. JSONata expressions are parsed here,
 * once per run, never per record.
 */
export function compileDirection(
  mapping: Pick<MappingFile, 'mapping'>,
  fields: Record<string, FieldSpec | string>,
  extra?: { consumes: string[] },
): CompiledDirection {
  const compiled = compileFields(mapping.mapping, fields, '');
  const consumed = extra ? new Set([...extra.consumes, ...topLevelPaths(fields)]) : undefined;
  return async (input, context) => {
    const output = await compiled(input, input, context);
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
  return async (input: unknown, root: unknown, context: MappingContext) => {
    const output: Record<string, unknown> = {};
    for (const [name, fn] of compiled) {
      const value = await fn(input, root, context);
      if (value !== undefined) output[name] = value;
    }
    return output;
  };
}

function compileField(mappingId: string, raw: FieldSpec | string, where: string): FieldFn {
  const spec: FieldSpec = typeof raw === 'string' ? { path: raw } : raw;
  const base = compileBase(mappingId, spec, where);
  return async (input, root, context) => {
    let value = await base(input, root, context);
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
}

function compileBase(mappingId: string, spec: FieldSpec, where: string): FieldFn {
  if (spec.each !== undefined && spec.fields) {
    const eachPath = spec.each;
    const item = compileFields(mappingId, spec.fields, `${where}.`);
    return async (input, root, context) => {
      const list = readPath(input, eachPath);
      if (list == null) return [];
      const items = Array.isArray(list) ? list : [list];
      return Promise.all(items.map((element) => item(element, root, context)));
    };
  }
  if (spec.expr !== undefined) {
    const expression = compileExpression(mappingId, spec.expr, where);
    return async (input, root, context) => {
      const result = await expression.evaluate(input, { root, ctx: context });
      return unwrapSequence(result);
    };
  }
  if (spec.value !== undefined) {
    const constant = spec.value;
    return () => Promise.resolve(structuredClone(constant));
  }
  if (spec.path !== undefined) {
    const path = spec.path;
    return (input) => Promise.resolve(readPath(input, path));
  }
  return () => Promise.resolve(undefined);
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
