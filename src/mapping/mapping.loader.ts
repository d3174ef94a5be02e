import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { SwitchyardError } from '../common/errors';
import { packageRoot } from '../common/package-root';
import { compileDirection, type CompiledDirection, type MappingContext } from './mapping.compiler';
import { mappingFileSchema, type MappingFile } from './mapping-file.schema';
import { readPaths } from './read-paths';

/** What a plan may say about one mapping: pin a version, or point at its own file. */
export interface MappingChoice {
  version?: number;
  file?: string;
  /** The mapping's YAML itself: how the service takes a custom mapping (it never reads a file a caller names). */
  content?: string;
  /** `inbound.<field>` / `outbound.<field>` → entries laid over that field's value map (a company's own stages). */
  valueMaps?: Record<string, Record<string, unknown>>;
}

export interface LoadedMapping {
  id: string;
  version: number;
  /** sha256 of the file's bytes, first 16 hex characters: changes whenever the mapping does. */
  hash: string;
  /** `<id>@v<version>#<hash>`: what the ledger stores on every row. */
  key: string;
  file: string;
  definition: MappingFile;
  inbound: CompiledDirection;
  /** The record's own fields, as the destination takes them. */
  outbound: CompiledDirection;
  /** The outbound mapping's whole answer: the record's fields, and its children and links, declared apart. */
  write(canonical: Record<string, unknown>, context: MappingContext): Promise<Written>;
  /** The native field paths the inbound direction reads: what a connector asks its platform for. */
  reads: string[];
}

export interface Written {
  payload: Record<string, unknown>;
  children: Record<string, Record<string, unknown>[]>;
  links: Record<string, string[]>;
}

export function mappingsDir(): string {
  return join(packageRoot(), 'mappings');
}

/** Loads and compiles `<platform>.<type>`: the plan's own file, its pinned version, or the newest version. */
export function loadMapping(
  platform: string,
  type: string,
  choice: MappingChoice = {},
  baseDir = process.cwd(),
): LoadedMapping {
  const id = `${platform}.${type}`;
  const file =
    choice.content !== undefined
      ? `the uploaded mapping ${id}`
      : choice.file
        ? isAbsolute(choice.file)
          ? choice.file
          : resolve(baseDir, choice.file)
        : findVersionFile(platform, type, choice.version);
  if (choice.content === undefined && !existsSync(file))
    throw new SwitchyardError('MAPPING_INVALID', `mapping ${id}: file ${file} does not exist`);
  const text = choice.content ?? readFileSync(file, 'utf8');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new SwitchyardError(
      'MAPPING_INVALID',
      `mapping file ${file} is not valid YAML: ${(error as Error).message}`,
    );
  }
  const parsed = mappingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new SwitchyardError('MAPPING_INVALID', `mapping file ${file} is invalid: ${problems}`);
  }
  const definition = withValueMaps(parsed.data, choice.valueMaps ?? {}, file);
  if (definition.mapping !== id) {
    throw new SwitchyardError(
      'MAPPING_INVALID',
      `mapping file ${file} declares ${definition.mapping}, expected ${id}`,
    );
  }
  if (choice.version !== undefined && definition.version !== choice.version) {
    throw new SwitchyardError(
      'MAPPING_INVALID',
      `mapping file ${file} is version ${definition.version}, the plan pins ${choice.version}`,
    );
  }
  // The plan's value maps are part of the mapping: changing them re-evaluates records already loaded.
  const hash = createHash('sha256')
    .update(text)
    .update(choice.valueMaps ? JSON.stringify(choice.valueMaps) : '')
    .digest('hex')
    .slice(0, 16);
  const outbound = compileDirection(definition, definition.outbound.fields);
  const children = compileDirection(definition, definition.outbound.children);
  const links = compileDirection(definition, definition.outbound.links);
  return {
    id,
    version: definition.version,
    hash,
    key: `${id}@v${definition.version}#${hash}`,
    file,
    definition,
    inbound: compileDirection(definition, definition.inbound.fields, {
      consumes: definition.inbound.consumes,
    }),
    outbound,
    write: async (canonical, context) => ({
      payload: await outbound(canonical, context),
      children: lists(await children(canonical, context)) as Written['children'],
      links: lists(await links(canonical, context)) as Written['links'],
    }),
    reads: readPaths(definition.inbound.fields),
  };
}

/** Children and links are lists; a section that yields a single value or nothing is made one. */
function lists(values: Record<string, unknown>): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      value === null || value === undefined ? [] : Array.isArray(value) ? value : [value],
    ]),
  );
}

/** Lays the plan's value-map entries over the named fields' maps; a field the mapping lacks is refused. */
function withValueMaps(
  definition: MappingFile,
  valueMaps: Record<string, Record<string, unknown>>,
  file: string,
): MappingFile {
  const result = structuredClone(definition);
  for (const [key, entries] of Object.entries(valueMaps)) {
    const [direction, field] = key.split('.') as ['inbound' | 'outbound', string];
    const fields = result[direction].fields;
    const spec = fields[field];
    if (spec === undefined) {
      throw new SwitchyardError(
        'MAPPING_INVALID',
        `the plan's valueMaps name ${key}, but mapping ${definition.mapping} (${file}) has no ${direction} field ${field}; its ${direction} fields: ${Object.keys(fields).join(', ')}`,
      );
    }
    const asSpec = typeof spec === 'string' ? { path: spec } : spec;
    fields[field] = { ...asSpec, map: { ...asSpec.map, ...entries } };
  }
  return result;
}

function findVersionFile(platform: string, type: string, version?: number): string {
  const dir = join(mappingsDir(), platform);
  const pattern = new RegExp(`^${type}\\.v(\\d+)\\.yaml$`);
  const versions = existsSync(dir)
    ? readdirSync(dir)
        .map((name) => pattern.exec(name))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => Number(match[1]))
    : [];
  if (versions.length === 0) {
    throw new SwitchyardError('MAPPING_INVALID', `no mapping for ${platform} ${type} in ${dir}`);
  }
  const chosen = version ?? Math.max(...versions);
  if (!versions.includes(chosen)) {
    throw new SwitchyardError(
      'MAPPING_INVALID',
      `mapping ${platform}.${type} has no version ${chosen}; available: ${versions.sort().join(', ')}`,
    );
  }
  return join(dir, `${type}.v${chosen}.yaml`);
}
