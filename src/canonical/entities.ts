/**
 * The canonical entities, one domain file each; importing this module registers them all. Everything
 * outside src/canonical/ asks the registry about an entity and names none.
 */
import './commerce';
import './crm';
import './accounting';

export * from './registry';

/** A plan's name for a canonical entity (`customers`); the registry knows which exist. */
export type EntityName = string;
