import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLSchema,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationTypeNode,
  type SelectionSetNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
} from 'graphql';
import { argument } from '../query-cost-estimate';

/**
 * Shopify's requested query cost, following its published rules: scalars and enums 0, objects 1,
 * connections 2 + `first`/`last` × the cost of one node, mutations 10. Rough where Shopify is
 * undocumented, exact where it matters: `first:250` on a nested connection is expensive.
 */
export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (definition.operation === OperationTypeNode.MUTATION) {
      total += 10;
      continue;
    }
    const root = schema.getQueryType();
    if (root) total += selectionCost(root, definition.selectionSet, fragments, variables, schema);
  }
  return total;
}

function selectionCost(
  parent: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      const type = fragment && schema.getType(fragment.typeCondition.name.value);
      if (fragment && type && isCompositeType(type))
        cost += selectionCost(type, fragment.selectionSet, fragments, variables, schema);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type))
        cost += selectionCost(type, selection.selectionSet, fragments, variables, schema);
      continue;
    }
    if (!(isObjectType(parent) || isInterfaceType(parent))) continue;
    const field = parent.getFields()[selection.name.value];
    if (!field || !selection.selectionSet) continue;
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) continue;
    if (named.name.endsWith('Connection') && isObjectType(named)) {
      const size =
        argument(selection.arguments ?? [], 'first', variables) ??
        argument(selection.arguments ?? [], 'last', variables) ??
        0;
      cost += 2 + connectionCost(named, selection.selectionSet, size, fragments, variables, schema);
    } else {
      // A plain list of objects is charged as one object, as Shopify does.
      cost += 1 + selectionCost(named, selection.selectionSet, fragments, variables, schema);
    }
  }
  return cost;
}

/** `nodes`/`edges` cost once per requested node; `pageInfo` and the like once. */
function connectionCost(
  connection: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  size: number,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    const field = connection.getFields()[selection.name.value];
    const named = field && getNamedType(field.type);
    if (!named || !isCompositeType(named)) continue;
    const inner = selectionCost(named, selection.selectionSet, fragments, variables, schema);
    const perNode = selection.name.value === 'edges' ? inner : 1 + inner;
    cost += selection.name.value === 'nodes' || selection.name.value === 'edges' ? size * perNode : 1 + inner;
  }
  return cost;
}

/**
 * The leaky bucket behind `extensions.cost.throttleStatus`: `maximumAvailable` points, refilled at
 * `restoreRate` points a second.
 */
export class CostBucket {
  private available: number;
  private last = Date.now();

  constructor(
    readonly maximumAvailable = 1000,
    readonly restoreRate = 50,
  ) {
    this.available = maximumAvailable;
  }

  currentlyAvailable(): number {
    const now = Date.now();
    this.available = Math.min(
      this.maximumAvailable,
      this.available + ((now - this.last) / 1000) * this.restoreRate,
    );
    this.last = now;
    return Math.floor(this.available);
  }

  take(points: number): void {
    this.currentlyAvailable();
    this.available -= points;
  }

  status() {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: this.currentlyAvailable(),
      restoreRate: this.restoreRate,
    };
  }
}
