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
 * Shopify's query cost, following its published rules: scalars and enums 0, objects 1, connections
 * 2 + `first`/`last` × the cost of one node, mutations 10. Rough where Shopify is undocumented, exact where it
 * matters: `first:250` on a nested connection is expensive.
 *
 * The requested cost is worked out from the query alone and reserved before it runs. The actual cost counts
 * what the answer holds (the nodes a connection returned, an object that came back null as its own point), and
 * Shopify gives the difference back: `products(first: 250)` that finds 3 products costs 2 + 3 × a node.
 */
export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): number {
  return queryCost(schema, document, variables, STATIC);
}

/** What a query that answered `data` actually cost: never more than it requested. */
export function actualCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  data: unknown,
): number {
  return queryCost(schema, document, variables, data ?? null);
}

/** Stands for "no answer yet": every connection is as large as it asks to be. */
const STATIC = Symbol('static');
type Answer = unknown;

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  schema: GraphQLSchema;
}

function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  answer: Answer,
): number {
  const walk: Walk = { fragments: new Map(), variables, schema };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) walk.fragments.set(definition.name.value, definition);
  }
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (definition.operation === OperationTypeNode.MUTATION) {
      total += 10;
      continue;
    }
    const root = schema.getQueryType();
    if (root) total += selectionCost(root, definition.selectionSet, walk, answer);
  }
  return total;
}

function selectionCost(
  parent: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  walk: Walk,
  answer: Answer,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      const type = fragment && walk.schema.getType(fragment.typeCondition.name.value);
      if (fragment && type && isCompositeType(type))
        cost += selectionCost(type, fragment.selectionSet, walk, answer);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type)) cost += selectionCost(type, selection.selectionSet, walk, answer);
      continue;
    }
    if (!(isObjectType(parent) || isInterfaceType(parent))) continue;
    const field = parent.getFields()[selection.name.value];
    if (!field || !selection.selectionSet) continue;
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) continue;
    const value =
      answer === STATIC ? STATIC : fieldOf(answer, selection.alias?.value ?? selection.name.value);
    if (value === null) {
      cost += 1;
    } else if (named.name.endsWith('Connection') && isObjectType(named)) {
      const size =
        argument(selection.arguments ?? [], 'first', walk.variables) ??
        argument(selection.arguments ?? [], 'last', walk.variables) ??
        0;
      cost += 2 + connectionCost(named, selection.selectionSet, size, walk, value);
    } else if (Array.isArray(value)) {
      // A plain list of objects is charged as one object, as Shopify does: its dearest item.
      let dearest = 0;
      for (const item of value)
        dearest = Math.max(dearest, selectionCost(named, selection.selectionSet, walk, item));
      cost += 1 + dearest;
    } else {
      cost += 1 + selectionCost(named, selection.selectionSet, walk, value);
    }
  }
  return cost;
}

/** `nodes`/`edges` cost once per node (requested, or returned); `pageInfo` and the like once. */
function connectionCost(
  connection: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  size: number,
  walk: Walk,
  answer: Answer,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    const field = connection.getFields()[selection.name.value];
    const named = field && getNamedType(field.type);
    if (!named || !isCompositeType(named)) continue;
    const list = selection.name.value === 'nodes' || selection.name.value === 'edges';
    const own = selection.name.value === 'edges' ? 0 : 1;
    const value =
      answer === STATIC ? STATIC : fieldOf(answer, selection.alias?.value ?? selection.name.value);
    if (!list) {
      cost += value === null ? 1 : 1 + selectionCost(named, selection.selectionSet, walk, value);
    } else if (value === STATIC) {
      cost += size * (own + selectionCost(named, selection.selectionSet, walk, STATIC));
    } else {
      for (const item of Array.isArray(value) ? value : [])
        cost += own + (item === null ? 0 : selectionCost(named, selection.selectionSet, walk, item));
    }
  }
  return cost;
}

function fieldOf(answer: Answer, key: string): Answer {
  if (answer === null || typeof answer !== 'object') return null;
  return (answer as Record<string, unknown>)[key] ?? null;
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

  /** Gives back what a query reserved and did not use. */
  refund(points: number): void {
    this.currentlyAvailable();
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }

  status() {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: this.currentlyAvailable(),
      restoreRate: this.restoreRate,
    };
  }
}
