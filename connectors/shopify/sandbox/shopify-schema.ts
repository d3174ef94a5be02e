import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../../src/connectors';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';

let schema: GraphQLSchema | undefined;

/**
 * The official Admin API 2025-01 schema, built from Shopify's own introspection result
 * (shared/specs/shopify, copied here). A query the real API rejects as invalid is rejected here too.
 */
export function adminSchema(): GraphQLSchema {
  if (!schema) {
    const file = join(packageRoot(), 'connectors/shopify/sandbox/admin_schema_2025-01.introspection.json.gz');
    const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
      data: IntrospectionQuery;
    };
    schema = buildClientSchema(parsed.data, { assumeValid: true });
  }
  return schema;
}
