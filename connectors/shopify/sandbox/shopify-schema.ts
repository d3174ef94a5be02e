import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../../src/connectors';
import {
  buildClientSchema,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type IntrospectionQuery,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';

let schema: GraphQLSchema | undefined;
let compilable: GraphQLSchema | undefined;

/** What a query compiled against `compilableSchema` runs with: the resolvers of the sandbox that runs it. */
export interface ResolvingContext {
  resolveField: GraphQLFieldResolver<any, unknown>;
  resolveType: GraphQLTypeResolver<any, unknown>;
}

/**
 * The same schema for graphql-jit, which reads a field without a resolver straight from its parent. A field
 * resolves through the running sandbox's resolver (carried in the context) where a plain read could answer
 * otherwise: root fields, relations (`related`), connections and bulk operations (values that are functions),
 * and non-null fields (a default where the row has none). A nullable field read from a row is the row's value
 * or null, as the sandbox's resolver answers it.
 */
export function compilableSchema(
  /** The relation fields by type; only their names are read, the same in every sandbox. */
  related: Record<string, Record<string, unknown>>,
): GraphQLSchema {
  if (!compilable) {
    compilable = buildClientSchema(introspection(), { assumeValid: true });
    const resolveField: GraphQLFieldResolver<any, ResolvingContext> = (source, args, context, info) =>
      context.resolveField(source, args, context, info);
    const resolveType: GraphQLTypeResolver<any, ResolvingContext> = (value, context, info, type) =>
      context.resolveType(value, context, info, type);
    const roots = new Set([compilable.getQueryType(), compilable.getMutationType()]);
    for (const type of Object.values(compilable.getTypeMap())) {
      if (isInterfaceType(type) || isUnionType(type)) type.resolveType = resolveType;
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const whole = roots.has(type) || type.name.endsWith('Connection') || type.name === 'BulkOperation';
      for (const field of Object.values(type.getFields())) {
        if (whole || isNonNullType(field.type) || related[type.name]?.[field.name])
          field.resolve = resolveField;
      }
    }
  }
  return compilable;
}

/**
 * The official Admin API 2025-01 schema, built from Shopify's own introspection result
 * (shared/specs/shopify, copied here). A query the real API rejects as invalid is rejected here too.
 */
export function adminSchema(): GraphQLSchema {
  schema ??= buildClientSchema(introspection(), { assumeValid: true });
  return schema;
}

function introspection(): IntrospectionQuery {
  const file = join(packageRoot(), 'connectors/shopify/sandbox/admin_schema_2025-01.introspection.json.gz');
  return (JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { data: IntrospectionQuery }).data;
}
