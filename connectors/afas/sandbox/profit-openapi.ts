import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../../src/connectors';

type Json = Record<string, any>;
let merged: Json | undefined;

/**
 * AFAS Profit's official OpenAPI files (specs/, see SOURCE.md), merged into one document: their paths and
 * components do not collide (the shared ones, `/connectors/{Endpoint}`, `/MetaInfo`, are identical).
 */
export function profitOpenApi(): Json {
  if (merged) return merged;
  const dir = join(packageRoot(), 'connectors/afas/sandbox/specs');
  const spec: Json = {
    openapi: '3.0.0',
    info: { title: 'AFAS Profit REST (official files, merged)', version: '6.6.9' },
    // Profit serves under /ProfitRestServices on every environment.
    servers: [{ url: '/ProfitRestServices' }],
    paths: {},
    components: { schemas: {}, parameters: {}, responses: {}, securitySchemes: {} },
  };
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.openapi.json.gz'))
    .sort()) {
    const part = JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString('utf8')) as Json;
    for (const [path, operations] of Object.entries(part.paths as Json))
      spec.paths[path] = { ...spec.paths[path], ...operations };
    for (const [kind, entries] of Object.entries(part.components as Json))
      spec.components[kind] = { ...spec.components[kind], ...entries };
  }
  merged = spec;
  return spec;
}
