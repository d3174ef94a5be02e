import jsonata from 'jsonata';
import type { FieldSpec } from './mapping-file.schema';

/**
 * The native field paths a direction of a mapping reads (`properties.industry`, `lineItems.properties.name`),
 * from its plain paths and the paths inside its JSONata expressions: what a connector must ask its platform
 * for, and what it holds beyond them is unmapped. Over-inclusive where an expression is dynamic, never short.
 */
export function readPaths(fields: Record<string, FieldSpec | string>, prefix: string[] = []): string[] {
  const found = new Set<string>();
  for (const raw of Object.values(fields)) {
    const spec: FieldSpec = typeof raw === 'string' ? { path: raw } : raw;
    if (spec.path && spec.path !== '$') found.add([...prefix, ...spec.path.split('.')].join('.'));
    if (spec.sku) found.add([...prefix, ...spec.sku.split('.')].join('.'));
    if (spec.expr) for (const path of expressionPaths(spec.expr, prefix)) found.add(path);
    if (spec.each && spec.fields) {
      const each = [...prefix, ...spec.each.split('.')];
      found.add(each.join('.'));
      for (const path of readPaths(spec.fields, each)) found.add(path);
    }
  }
  return [...found].sort();
}

type Node = Record<string, unknown> & { type?: string; value?: unknown; steps?: Node[] };

function expressionPaths(expression: string, prefix: string[]): string[] {
  const found = new Set<string>();
  walk(jsonata(expression).ast(), prefix, prefix, found);
  return [...found];
}

/** `context` is where a relative path starts; `root` where `$$` starts. */
function walk(node: unknown, context: string[], root: string[], found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, context, root, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  if (n.type === 'name' && typeof n.value === 'string') {
    found.add([...context, n.value].join('.'));
    walkChildren(n, [...context, n.value], root, found);
    return;
  }
  if (n.type === 'path' && Array.isArray(n.steps)) {
    let at = context;
    for (const [index, step] of n.steps.entries()) {
      if (index === 0 && step.type === 'variable' && step.value === '$') at = root;
      else if (index === 0 && step.type === 'variable' && step.value === '') at = context;
      else if (step.type === 'name' && typeof step.value === 'string') {
        at = [...at, step.value];
        found.add(at.join('.'));
        walkChildren(step, at, root, found);
      } else {
        // A constructor, function or filter applied to what the path has reached so far.
        walk(step, at, root, found);
        break;
      }
    }
    for (const key of ['stages', 'predicate', 'group'] as const) walk(n[key], at, root, found);
    return;
  }
  walkChildren(n, context, root, found);
}

function walkChildren(node: Node, context: string[], root: string[], found: Set<string>): void {
  for (const [key, value] of Object.entries(node))
    if (key !== 'steps' && key !== 'value' && key !== 'type' && key !== 'position')
      walk(value, context, root, found);
}
