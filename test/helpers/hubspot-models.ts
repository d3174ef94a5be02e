import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * HubSpot's own generated models, as `@hubspot/api-client` ships them (lib/codegen/crm/<api>/models): each
 * model's attributes and types from its `attributeTypeMap`, which of them are required from its declaration
 * (`'id': string` against `'archivedAt'?: Date`), and its enums' values.
 */
const CRM = join(dirname(require.resolve('@hubspot/api-client/package.json')), 'lib/codegen/crm');

interface Model {
  attributes: Map<string, string>;
  required: Set<string>;
  enums: Map<string, Set<string>>;
}

const models = new Map<string, Model>();

function modelOf(api: string, name: string): Model {
  const key = `${api}/${name}`;
  let model = models.get(key);
  if (model) return model;
  const base = join(CRM, api, 'models', name);
  if (!existsSync(`${base}.js`)) throw new Error(`@hubspot/api-client has no model ${key}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's generated model, by name
  const loaded = require(base) as Record<
    string,
    { attributeTypeMap: { name: string; baseName: string; type: string }[] }
  >;
  const declaration = readFileSync(`${base}.d.ts`, 'utf8');
  const body = new RegExp(`export declare class ${name} \\{([\\s\\S]*?)\\n\\}`).exec(declaration)?.[1] ?? '';
  const map = loaded[name].attributeTypeMap;
  // The declaration names attributes as TypeScript does (`_new`); answers carry their JSON name (`new`).
  const jsonName = new Map(map.map((a) => [a.name, a.baseName]));
  model = {
    attributes: new Map(map.map((a) => [a.baseName, a.type])),
    required: new Set([...body.matchAll(/^\s+'([^']+)':/gm)].map((m) => jsonName.get(m[1]) ?? m[1])),
    enums: new Map(
      [...declaration.matchAll(/export declare enum (\w+) \{([\s\S]*?)\}/g)].map((m) => [
        m[1],
        new Set([...m[2].matchAll(/= "([^"]*)"/g)].map((v) => v[1])),
      ]),
    ),
  };
  models.set(key, model);
  return model;
}

/**
 * Mismatches between a JSON answer and a model of the SDK: a required attribute missing, an attribute the
 * model does not have, a value not of its declared type or enum. Counts the values it checked.
 */
export function modelMismatches(
  api: string,
  name: string,
  value: unknown,
): { mismatches: string[]; values: number } {
  const found = { mismatches: [] as string[], values: 0 };
  const check = (type: string, item: unknown, path: string, owner: Model): void => {
    found.values++;
    if (item === null || item === undefined) {
      // The generated models type nullable values as `string | null` only inside property maps.
      found.mismatches.push(`${path}: ${String(item)} where ${type} is declared`);
      return;
    }
    const list = /^Array<(.+)>$/.exec(type);
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    const fail = () => void found.mismatches.push(`${path}: ${JSON.stringify(item)} is not ${type}`);
    if (list) {
      if (!Array.isArray(item)) return fail();
      item.forEach((element, index) => check(list[1], element, `${path}[${index}]`, owner));
    } else if (map) {
      if (typeof item !== 'object' || Array.isArray(item)) return fail();
      for (const [key, element] of Object.entries(item as Record<string, unknown>)) {
        if (element === null && map[1].endsWith('| null')) continue;
        check(map[1].replace(/ \| null$/, ''), element, `${path}.${key}`, owner);
      }
    } else if (type === 'string') {
      if (typeof item !== 'string') fail();
    } else if (type === 'number') {
      if (typeof item !== 'number') fail();
    } else if (type === 'boolean') {
      if (typeof item !== 'boolean') fail();
    } else if (type === 'Date') {
      if (typeof item !== 'string' || Number.isNaN(Date.parse(item))) fail();
    } else if (type === 'any') {
      return;
    } else if (owner.enums.has(type)) {
      if (typeof item !== 'string' || !owner.enums.get(type)!.has(item)) fail();
    } else {
      checkObject(type, item, path);
    }
  };
  const checkObject = (name: string, item: unknown, path: string) => {
    const model = modelOf(api, name);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      found.mismatches.push(`${path}: ${JSON.stringify(item)} is not a ${name}`);
      return;
    }
    const row = item as Record<string, unknown>;
    for (const attribute of model.required)
      if (row[attribute] === undefined)
        found.mismatches.push(`${path}.${attribute}: missing (${name} requires it)`);
    for (const [key, element] of Object.entries(row)) {
      const type = model.attributes.get(key);
      if (!type) found.mismatches.push(`${path}.${key}: not in ${name}`);
      // An optional attribute may be null (HubSpot answers `"label": null` for an unlabelled association).
      else if (element !== undefined && !(element === null && !model.required.has(key)))
        check(type, element, `${path}.${key}`, model);
    }
  };
  checkObject(name, value, name);
  return found;
}
