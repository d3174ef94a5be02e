import {
  type DocumentNode,
  Kind,
  OperationTypeNode,
  parse,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Shopify's requested query cost, worked out from the query text before sending it, following the
 * published rules: scalars 0, objects 1, connections (fields paged by `first`/`last`) 2 plus the page
 * size times one node, mutations 10. A shared limiter reserves this much; the response's actual cost
 * settles the difference, so the estimate only needs to be close, never generous.
 */
const documents = new Map<string, DocumentNode>();

export function estimateQueryCost(query: string, variables: Record<string, unknown>): number {
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    documents.set(query, document);
  }
  let cost = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    cost +=
      definition.operation === OperationTypeNode.MUTATION
        ? 10
        : selectionCost(definition.selectionSet, variables);
  }
  return cost;
}

function selectionCost(selectionSet: SelectionSetNode, variables: Record<string, unknown>): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += selectionCost(selection.selectionSet, variables);
      continue;
    }
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    const size =
      argument(selection.arguments ?? [], 'first', variables) ??
      argument(selection.arguments ?? [], 'last', variables);
    if (size === undefined) {
      cost += 1 + selectionCost(selection.selectionSet, variables);
      continue;
    }
    cost += 2;
    for (const child of selection.selectionSet.selections) {
      if (child.kind !== Kind.FIELD || !child.selectionSet) continue;
      const inner = selectionCost(child.selectionSet, variables);
      if (child.name.value === 'nodes') cost += size * (1 + inner);
      else if (child.name.value === 'edges') cost += size * inner;
      else cost += 1 + inner;
    }
  }
  return cost;
}

/** An Int argument's value, literal or from the variables. */
export function argument(
  args: readonly { name: { value: string }; value: ValueNode }[],
  name: string,
  variables: Record<string, unknown>,
): number | undefined {
  const arg = args.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  if (arg.value.kind === Kind.VARIABLE) {
    const value = variables[arg.value.name.value];
    return typeof value === 'number' ? value : undefined;
  }
  return undefined;
}
