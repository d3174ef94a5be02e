import { z } from 'zod';
import { customerSchema, orderSchema, productSchema } from './canonical.schema';
import { contactSchema, dealSchema, organizationSchema, userSchema } from './crm.schema';

/**
 * The canonical entities, their plan names, schemas and what they reference. The engine loads
 * entities in dependency order so a reference always points at something already loaded.
 */
export const ENTITIES = {
  customers: { type: 'customer', schema: customerSchema, dependsOn: [] },
  products: { type: 'product', schema: productSchema, dependsOn: [] },
  orders: { type: 'order', schema: orderSchema, dependsOn: ['customers', 'products'] },
  // CRM: users are matched by email and never created; they own the rest.
  users: { type: 'user', schema: userSchema, dependsOn: [] },
  organizations: { type: 'organization', schema: organizationSchema, dependsOn: ['users'] },
  contacts: { type: 'contact', schema: contactSchema, dependsOn: ['organizations', 'users'] },
  deals: {
    type: 'deal',
    schema: dealSchema,
    dependsOn: ['organizations', 'contacts', 'products', 'users'],
  },
} as const satisfies Record<string, { type: string; schema: z.ZodTypeAny; dependsOn: readonly string[] }>;

export type EntityName = keyof typeof ENTITIES;
export type CanonicalType = (typeof ENTITIES)[EntityName]['type'];
export const ENTITY_NAMES = Object.keys(ENTITIES) as EntityName[];

export function isEntityName(name: string): name is EntityName {
  return Object.prototype.hasOwnProperty.call(ENTITIES, name);
}

export function entityOfType(type: string): EntityName {
  const found = ENTITY_NAMES.find((name) => ENTITIES[name].type === type);
  if (!found) throw new Error(`unknown canonical type ${type}`);
  return found;
}

/** Orders the requested entities so that each comes after the entities it references. */
export function dependencyOrder(requested: EntityName[]): EntityName[] {
  const ordered: EntityName[] = [];
  const visit = (name: EntityName) => {
    if (ordered.includes(name)) return;
    for (const dependency of ENTITIES[name].dependsOn) {
      if (requested.includes(dependency)) visit(dependency);
    }
    ordered.push(name);
  };
  for (const name of ENTITY_NAMES) if (requested.includes(name)) visit(name);
  return ordered;
}
