import Decimal from 'decimal.js';
import { scalarText } from '../../../src/connectors';
import { HUBSPOT_FACTS, HUBSPOT_OBJECT_TYPES, type HubSpotObjectType } from '../hubspot.facts';
import { ASSOCIATION_TYPES, PROPERTY_GROUPS, UNIQUE_PROPERTIES } from './hubspot.contract';

export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** When it was archived (HubSpot answers it for archived objects). */
  archivedAt?: string;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  hasUniqueValue: boolean;
  /** HubSpot's own property (true) or one an admin or integration created (false). */
  hubspotDefined: boolean;
  /** `readOnlyValue`: HubSpot sets the value itself (create date, last modified). */
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
}

export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  archived: boolean;
}

/** A HubSpot error as the API sends it: `{status, message, correlationId, category, errors?}`. */
export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly errors: Record<string, unknown>[] = [],
    readonly context?: Record<string, string[]>,
  ) {
    super(message);
  }
}

/** Properties every portal has (a subset of HubSpot's defaults: what migrations read and write). */
const STANDARD_PROPERTIES: Record<HubSpotObjectType, string[]> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'mobilephone',
    'jobtitle',
    'company',
    'address',
    'city',
    'zip',
    'state',
    'country',
    'hubspot_owner_id',
    'lifecyclestage',
    'createdate',
    'lastmodifieddate',
  ],
  companies: [
    'name',
    'domain',
    'phone',
    'industry',
    'address',
    'address2',
    'city',
    'zip',
    'state',
    'country',
    'description',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
  deals: [
    'dealname',
    'amount',
    'deal_currency_code',
    'dealstage',
    'pipeline',
    'closedate',
    'description',
    'closed_lost_reason',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
  line_items: [
    'name',
    'quantity',
    'price',
    'amount',
    'hs_product_id',
    'hs_sku',
    'description',
    'createdate',
    'hs_lastmodifieddate',
  ],
  products: ['name', 'price', 'hs_sku', 'description', 'createdate', 'hs_lastmodifieddate'],
};
const READ_ONLY = new Set([
  'createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'hs_object_id',
  'amount@line_items',
]);
const DEFAULT_READ: Record<HubSpotObjectType, string[]> = {
  contacts: ['email', 'firstname', 'lastname', 'createdate', 'lastmodifieddate'],
  companies: ['name', 'domain', 'createdate', 'hs_lastmodifieddate'],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'createdate', 'hs_lastmodifieddate'],
  line_items: ['name', 'quantity', 'price', 'amount', 'createdate', 'hs_lastmodifieddate'],
  products: ['name', 'price', 'description', 'createdate', 'hs_lastmodifieddate'],
};
const MODIFIED = HUBSPOT_FACTS.modifiedProperty;

/** HubSpot's default deal pipeline, as `GET /crm/v3/pipelines/deals` returns it (stage ids are the values deals carry). */
const DEFAULT_DEAL_PIPELINE: Pipeline = {
  id: 'default',
  label: 'Sales Pipeline',
  displayOrder: 0,
  stages: [
    ['appointmentscheduled', 'Appointment Scheduled', '0.2', 'false'],
    ['qualifiedtobuy', 'Qualified To Buy', '0.4', 'false'],
    ['presentationscheduled', 'Presentation Scheduled', '0.6', 'false'],
    ['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8', 'false'],
    ['contractsent', 'Contract Sent', '0.9', 'false'],
    ['closedwon', 'Closed Won', '1.0', 'true'],
    ['closedlost', 'Closed Lost', '0.0', 'true'],
  ].map(([id, label, probability, isClosed], displayOrder) => ({
    id,
    label,
    displayOrder,
    metadata: { probability, isClosed },
  })),
};

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: { id: string; label: string; displayOrder: number; metadata: Record<string, string> }[];
}

/** Date properties: HubSpot takes epoch milliseconds or an ISO date and answers with ISO timestamps. */
const DATE_PROPERTIES = new Set(['closedate']);

export function isObjectType(type: string): type is HubSpotObjectType {
  return (HUBSPOT_OBJECT_TYPES as readonly string[]).includes(type);
}

/**
 * One HubSpot portal in memory: CRM objects whose property values are all strings, property definitions
 * (only `email` on contacts, and custom properties declared unique, enforce uniqueness), owners, and
 * v4 associations stored in both directions as HubSpot reports them.
 */
export class HubSpotStore {
  readonly objects = new Map<HubSpotObjectType, Map<string, HubSpotObject>>(
    HUBSPOT_OBJECT_TYPES.map((type) => [type, new Map()]),
  );
  readonly properties = new Map<HubSpotObjectType, Map<string, PropertyDefinition>>();
  readonly owners: Owner[] = [];
  readonly dealPipelines: Pipeline[] = [DEFAULT_DEAL_PIPELINE];
  /** The account's company currency (`/account-info/v3/details`). */
  currency = 'USD';
  /** `fromType:fromId:toType` → toId → association type ids. */
  readonly associations = new Map<string, Map<string, number[]>>();
  writes = 0;
  private nextId = 1000;

  constructor() {
    for (const type of HUBSPOT_OBJECT_TYPES) {
      const defs = new Map<string, PropertyDefinition>();
      for (const name of STANDARD_PROPERTIES[type])
        defs.set(name, definition(type, name, type === 'contacts' && name === 'email', true));
      this.properties.set(type, defs);
    }
  }

  /** A seed holds records as the API returns them: `{contacts: [{id, properties}], owners: [...], associations: [...]}`. */
  seed(data: Record<string, unknown>): void {
    if (typeof data.currency === 'string') this.currency = data.currency;
    if (Array.isArray(data.dealPipelines))
      this.dealPipelines.splice(0, Infinity, ...(data.dealPipelines as Pipeline[]));
    for (const type of HUBSPOT_OBJECT_TYPES) {
      for (const raw of (data[type] as Partial<HubSpotObject>[] | undefined) ?? []) {
        const id = raw.id ?? this.newId();
        this.nextId = Math.max(this.nextId, Number(id) + 1 || this.nextId);
        const now = raw.createdAt ?? new Date().toISOString();
        // Every HubSpot record carries its create and last-modified dates as properties too.
        this.objects.get(type)!.set(id, {
          id,
          properties: {
            createdate: now,
            [MODIFIED[type]]: raw.updatedAt ?? now,
            ...raw.properties,
            hs_object_id: id,
          },
          createdAt: now,
          updatedAt: raw.updatedAt ?? now,
          archived: false,
        });
      }
    }
    for (const owner of (data.owners as Partial<Owner>[] | undefined) ?? []) {
      this.owners.push({
        id: owner.id ?? this.newId(),
        email: owner.email ?? '',
        firstName: owner.firstName ?? '',
        lastName: owner.lastName ?? '',
        userId: owner.userId ?? Number(this.newId()),
        archived: owner.archived ?? false,
      });
    }
    for (const link of (data.associations as SeedAssociation[] | undefined) ?? [])
      this.associate(link.from, link.fromId, link.to, link.toId);
  }

  definitions(type: HubSpotObjectType): Map<string, PropertyDefinition> {
    return this.properties.get(type)!;
  }

  defineProperty(type: HubSpotObjectType, input: Partial<PropertyDefinition>): PropertyDefinition {
    if (!input.name) throw new HubSpotError(400, 'VALIDATION_ERROR', 'Property name is required');
    if (this.definitions(type).has(input.name))
      throw new HubSpotError(409, 'OBJECT_ALREADY_EXISTS', `Property ${input.name} already exists`);
    if (input.groupName !== undefined && input.groupName !== PROPERTY_GROUPS[type])
      throw new HubSpotError(400, 'VALIDATION_ERROR', `Property group ${input.groupName} does not exist`);
    if (input.hasUniqueValue && !UNIQUE_PROPERTIES.documentedFor.includes(type))
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        `Unique value properties are not supported on the ${type} object`,
      );
    const unique = [...this.definitions(type).values()].filter((d) => d.hasUniqueValue && !d.hubspotDefined);
    if (input.hasUniqueValue && unique.length >= UNIQUE_PROPERTIES.perObject)
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        `The ${type} object already has ${UNIQUE_PROPERTIES.perObject} unique value properties, the most it can have`,
      );
    const made = {
      ...input,
      ...definition(type, input.name, input.hasUniqueValue ?? false, false),
      ...pickDefined(input),
    };
    this.definitions(type).set(made.name, made);
    return made;
  }

  list(type: HubSpotObjectType, archived: boolean): HubSpotObject[] {
    return [...this.objects.get(type)!.values()].filter((o) => o.archived === archived);
  }

  /** By record id or by the value of a unique property. */
  find(type: HubSpotObjectType, id: string, idProperty?: string): HubSpotObject | undefined {
    if (!idProperty || idProperty === 'hs_object_id') {
      const found = this.objects.get(type)!.get(id);
      return found && !found.archived ? found : undefined;
    }
    const def = this.definitions(type).get(idProperty);
    if (!def?.hasUniqueValue)
      throw new HubSpotError(400, 'VALIDATION_ERROR', `${idProperty} is not a unique identifier property`);
    const wanted = idProperty === 'email' ? id.toLowerCase() : id;
    for (const holder of this.holders(type, idProperty).get(wanted) ?? [])
      if (!holder.archived && uniqueValue(idProperty, holder.properties[idProperty]) === wanted)
        return holder;
    return undefined;
  }

  /**
   * Per type and unique property, the records holding each value: built on the first lookup, kept on every
   * create and update, so a uniqueness check costs one lookup however large the portal (a holder is checked
   * again on lookup: archived or changed, it no longer counts).
   */
  private readonly uniqueIndex = new Map<string, Map<string, Set<HubSpotObject>>>();

  private holders(type: HubSpotObjectType, name: string): Map<string, Set<HubSpotObject>> {
    let index = this.uniqueIndex.get(`${type}:${name}`);
    if (!index) {
      index = new Map();
      this.uniqueIndex.set(`${type}:${name}`, index);
      for (const object of this.objects.get(type)!.values()) this.indexValue(index, name, object);
    }
    return index;
  }

  private indexValue(index: Map<string, Set<HubSpotObject>>, name: string, object: HubSpotObject): void {
    const value = uniqueValue(name, object.properties[name]);
    if (value === undefined) return;
    const holders = index.get(value);
    if (holders) holders.add(object);
    else index.set(value, new Set([object]));
  }

  /** After a record's properties changed: its values in every index built for its type. */
  private reindex(type: HubSpotObjectType, object: HubSpotObject): void {
    for (const [key, index] of this.uniqueIndex)
      if (key.startsWith(`${type}:`)) this.indexValue(index, key.slice(type.length + 1), object);
  }

  /** Refuses, as create would, properties a new record may not have; writes nothing. */
  checkCreate(type: HubSpotObjectType, properties: Record<string, unknown>): void {
    this.checkUnique(type, this.validate(type, properties), null);
  }

  /** Refuses, as associate would, a link to a record that does not exist; writes nothing. */
  checkLink(to: HubSpotObjectType, toId: string): void {
    if (!this.objects.get(to)!.get(toId))
      throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `No ${to} with id ${toId} exists`);
  }

  create(type: HubSpotObjectType, properties: Record<string, unknown>): HubSpotObject {
    const values = this.validate(type, properties);
    this.checkUnique(type, values, null);
    normaliseDates(values);
    const now = new Date().toISOString();
    const id = this.newId();
    const object: HubSpotObject = {
      id,
      properties: { ...values, hs_object_id: id, createdate: now, [MODIFIED[type]]: now },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    this.derive(type, object);
    this.objects.get(type)!.set(id, object);
    this.reindex(type, object);
    this.writes++;
    return object;
  }

  update(type: HubSpotObjectType, object: HubSpotObject, properties: Record<string, unknown>): HubSpotObject {
    const values = this.validate(type, properties);
    this.checkUnique(type, values, object.id);
    normaliseDates(values);
    const now = new Date().toISOString();
    Object.assign(object.properties, values, { [MODIFIED[type]]: now });
    object.updatedAt = now;
    this.derive(type, object);
    this.reindex(type, object);
    this.writes++;
    return object;
  }

  archive(type: HubSpotObjectType, id: string): void {
    const object = this.objects.get(type)!.get(id);
    if (!object) return;
    object.archived = true;
    object.archivedAt = new Date().toISOString();
    this.writes++;
  }

  associate(
    from: HubSpotObjectType,
    fromId: string,
    to: HubSpotObjectType,
    toId: string,
    typeId?: number,
  ): void {
    for (const [a, aId, b, bId] of [
      [from, fromId, to, toId],
      [to, toId, from, fromId],
    ] as const) {
      if (!this.objects.get(a)!.get(aId))
        throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `No ${a} with id ${aId} exists`);
      const key = `${a}:${aId}:${b}`;
      if (!this.associations.has(key)) this.associations.set(key, new Map());
      const types = this.associations.get(key)!.get(bId) ?? [];
      const known = ASSOCIATION_TYPES[`${a}→${b}`] ?? [];
      if (a === from && typeId !== undefined && !known.includes(typeId))
        throw new HubSpotError(
          400,
          'VALIDATION_ERROR',
          `${typeId} is not a HUBSPOT_DEFINED association type from ${from} to ${to}`,
        );
      const id = a === from ? (typeId ?? known[0]) : known[0];
      if (id !== undefined && !types.includes(id)) types.push(id);
      this.associations.get(key)!.set(bId, types);
    }
    this.writes++;
  }

  dissociate(from: HubSpotObjectType, fromId: string, to: HubSpotObjectType, toId: string): void {
    this.associations.get(`${from}:${fromId}:${to}`)?.delete(toId);
    this.associations.get(`${to}:${toId}:${from}`)?.delete(fromId);
    this.writes++;
  }

  associated(from: HubSpotObjectType, fromId: string, to: HubSpotObjectType): [string, number[]][] {
    return [...(this.associations.get(`${from}:${fromId}:${to}`) ?? new Map<string, number[]>())].filter(
      ([toId]) => this.objects.get(to)!.get(toId)?.archived === false,
    );
  }

  /** The properties a read returns: the defaults, or exactly those asked for that exist. */
  shape(type: HubSpotObjectType, object: HubSpotObject, wanted?: string[]): Record<string, unknown> {
    const names = wanted && wanted.length > 0 ? wanted : DEFAULT_READ[type];
    const properties: Record<string, string | null> = { hs_object_id: object.id };
    for (const name of names)
      if (this.definitions(type).has(name)) properties[name] = object.properties[name] ?? null;
    return {
      id: object.id,
      properties,
      createdAt: object.createdAt,
      updatedAt: object.updatedAt,
      archived: object.archived,
      ...(object.archivedAt ? { archivedAt: object.archivedAt } : {}),
    };
  }

  modifiedProperty(type: HubSpotObjectType): string {
    return MODIFIED[type];
  }

  private validate(type: HubSpotObjectType, properties: Record<string, unknown>): Record<string, string> {
    const errors: Record<string, unknown>[] = [];
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(properties ?? {})) {
      if (!this.definitions(type).has(name)) {
        errors.push({
          isValid: false,
          message: `Property "${name}" does not exist`,
          error: 'PROPERTY_DOESNT_EXIST',
          name,
          localizedErrorMessage: `Property "${name}" does not exist`,
        });
      } else if (READ_ONLY.has(name) || READ_ONLY.has(`${name}@${type}`)) {
        errors.push({
          isValid: false,
          message: `${name} is a read only property; its value cannot be set.`,
          error: 'READ_ONLY_VALUE',
          name,
        });
      } else if (name === 'email' && value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(scalarText(value))) {
        errors.push({
          isValid: false,
          message: `Email address ${scalarText(value)} is invalid`,
          error: 'INVALID_EMAIL',
          name,
        });
      } else if (
        ['amount', 'price', 'quantity'].includes(name) &&
        value !== '' &&
        value !== null &&
        isNaN(Number(value))
      ) {
        errors.push({
          isValid: false,
          message: `${scalarText(value)} was not a valid number.`,
          error: 'INVALID_FLOAT',
          name,
        });
      } else {
        const problem = this.optionProblem(type, name, value);
        if (problem) errors.push(problem);
        else values[name] = value === null || value === undefined ? '' : scalarText(value);
      }
    }
    if (errors.length > 0)
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        `Property values were not valid: ${JSON.stringify(errors)}`,
        errors,
      );
    return values;
  }

  /** Enumerations (a deal's pipeline and stage) take only their options; dates must parse. */
  private optionProblem(
    type: HubSpotObjectType,
    name: string,
    value: unknown,
  ): Record<string, unknown> | null {
    if (value === null || value === undefined || value === '') return null;
    const text = scalarText(value);
    let allowed: string[] | undefined;
    if (type === 'deals' && name === 'pipeline') allowed = this.dealPipelines.map((p) => p.id);
    if (type === 'deals' && name === 'dealstage')
      allowed = this.dealPipelines.flatMap((p) => p.stages.map((stage) => stage.id));
    if (allowed && !allowed.includes(text))
      return {
        isValid: false,
        message: `${text} was not one of the allowed options: [${allowed.join(', ')}]`,
        error: 'INVALID_OPTION',
        name,
      };
    if (DATE_PROPERTIES.has(name) && isNaN(toDate(text)))
      return { isValid: false, message: `${text} is not a valid date`, error: 'INVALID_DATE', name };
    return null;
  }

  private checkUnique(type: HubSpotObjectType, values: Record<string, string>, selfId: string | null): void {
    for (const [name, value] of Object.entries(values)) {
      if (!value || !this.definitions(type).get(name)?.hasUniqueValue) continue;
      const holder = this.find(type, value, name);
      if (holder && holder.id !== selfId) {
        const message =
          type === 'contacts' && name === 'email'
            ? `Contact already exists. Existing ID: ${holder.id}`
            : `A ${type} record with ${name} ${value} already exists. Existing ID: ${holder.id}`;
        throw new HubSpotError(409, 'CONFLICT', message);
      }
    }
  }

  /** A line item's amount is HubSpot's own: price × quantity. */
  private derive(type: HubSpotObjectType, object: HubSpotObject): void {
    if (type !== 'line_items') return;
    const price = new Decimal(object.properties.price || 0);
    object.properties.amount = price.times(object.properties.quantity || 0).toFixed();
  }

  private newId(): string {
    return String(this.nextId++);
  }
}

function toDate(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : Date.parse(text);
}

function normaliseDates(values: Record<string, string>): void {
  for (const name of Object.keys(values))
    if (DATE_PROPERTIES.has(name) && values[name])
      values[name] = new Date(toDate(values[name])).toISOString();
}

interface SeedAssociation {
  from: HubSpotObjectType;
  fromId: string;
  to: HubSpotObjectType;
  toId: string;
}

function definition(
  type: HubSpotObjectType,
  name: string,
  unique: boolean,
  standard: boolean,
): PropertyDefinition {
  return {
    name,
    label: name,
    type: 'string',
    fieldType: 'text',
    groupName: PROPERTY_GROUPS[type],
    description: '',
    options: [],
    hasUniqueValue: unique,
    hubspotDefined: standard,
    modificationMetadata: {
      archivable: !standard,
      readOnlyDefinition: standard,
      readOnlyValue: READ_ONLY.has(name) || READ_ONLY.has(`${name}@${type}`),
    },
  };
}

/** What a create request may set of a definition; HubSpot decides the rest (hubspotDefined, metadata). */
function pickDefined(input: Partial<PropertyDefinition>): Partial<PropertyDefinition> {
  const { label, type, fieldType, groupName, description, options, hasUniqueValue } = input;
  return Object.fromEntries(
    Object.entries({ label, type, fieldType, groupName, description, options, hasUniqueValue }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

/** A unique property's value as lookups compare it (emails without case). */
function uniqueValue(name: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return name === 'email' ? value.toLowerCase() : value;
}
