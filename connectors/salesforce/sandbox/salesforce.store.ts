import { scalarText } from '../../../src/connectors';
import { caseSafeId, SALESFORCE_FACTS, salesforceId } from '../salesforce.facts';
import { refuse, SalesforceError } from './salesforce.errors';
import { type FieldDef, fieldDef, type ObjectDef, OBJECTS } from './salesforce.schema';
import { compare, equalityKey, matches, type SoqlQuery } from './soql';

export type Row = Record<string, unknown> & { Id: string; IsDeleted: boolean; SystemModstamp: number };
type Values = Record<string, unknown>;

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** Salesforce's datetime wire format: `2024-01-15T10:30:00.000+0000`. */
export const wireDatetime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
/** Fields the platform computes from other records: never stored, always derived on read. */
const DERIVED: Record<string, string[]> = {
  User: ['Name'],
  Contact: ['Name'],
  Opportunity: ['Amount'],
  PricebookEntry: ['Name', 'ProductCode'],
  OpportunityLineItem: ['Name', 'ProductCode', 'Product2Id', 'TotalPrice'],
};

/**
 * A Salesforce org's records: typed fields checked against the object definitions (required fields,
 * restricted picklists, lookups to live records of the right object, unique External IDs), soft deletes
 * that cascade as the platform's do, and SOQL over it all.
 */
export class SalesforceStore {
  /** This org's objects: the standard ones, plus the custom fields its admin added (seed `customFields`). */
  readonly objects: Record<string, ObjectDef> = structuredClone(OBJECTS);
  readonly rows = new Map<string, Map<string, Row>>(Object.keys(OBJECTS).map((name) => [name, new Map()]));
  private readonly next = new Map<string, number>();
  private clock = 0;
  /**
   * Live rows by the value of a field looked up by value (`Object.Field` → comparable key → rows): External IDs,
   * unique fields, an opportunity's lines. Built on first use and kept on every write, so a lookup costs what it
   * finds.
   */
  private readonly valueIndexes = new Map<string, Map<string, Set<Row>>>();
  currency = 'USD';
  /** Objects whose Switchyard_Source_Id__c an admin has not created (seed `withoutSourceIdField`). */
  readonly withoutSourceIdField = new Set<string>();

  constructor() {
    this.insertRow('Pricebook2', { Name: 'Standard Price Book', IsActive: true, IsStandard: true });
    this.insertRow('Organization', { Name: 'Switchyard Sandbox', DefaultCurrencyIsoCode: this.currency });
  }

  get standardPricebookId(): string {
    return [...this.table('Pricebook2').values()].find((row) => row.IsStandard)!.Id;
  }

  /** An object's definition by name, case-insensitively as Salesforce resolves them. */
  objectDef(name: string): ObjectDef | undefined {
    return Object.values(this.objects).find((object) => object.name.toLowerCase() === name.toLowerCase());
  }

  /** The object a record id belongs to, by its key prefix. */
  objectOfId(id: string): ObjectDef | undefined {
    return Object.values(this.objects).find((object) => id.startsWith(object.keyPrefix));
  }

  /**
   * `{ currency?, withoutSourceIdField?: [objects], customFields?: { <Object>: [{ name, label? }] },
   * <Object>: [records with their own Id, or none] }`. A custom field is text (`Loyalty_Tier__c`), as an
   * admin adds one in Setup.
   */
  seed(seed: Record<string, unknown>) {
    for (const [name, fields] of Object.entries(
      (seed.customFields as Record<string, { name: string; label?: string }[]> | undefined) ?? {},
    )) {
      const object = this.objectDef(name);
      if (!object) throw new Error(`seed customFields: no object ${name}`);
      for (const custom of fields) {
        if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(custom.name))
          throw new Error(`seed customFields: ${custom.name} is not a custom field name (Name__c)`);
        object.fields.push({
          name: custom.name,
          label: custom.label ?? custom.name.replace(/__c$/, '').replace(/_/g, ' '),
          type: 'string',
          createable: true,
          updateable: true,
        });
      }
    }
    if (typeof seed.currency === 'string') {
      this.currency = seed.currency;
      for (const org of this.live('Organization')) org.DefaultCurrencyIsoCode = seed.currency;
    }
    for (const name of (seed.withoutSourceIdField as string[] | undefined) ?? [])
      this.withoutSourceIdField.add(name);
    // Parents before children, so every lookup in a seed finds its record.
    const order = [
      'User',
      'Account',
      'Contact',
      'Product2',
      'PricebookEntry',
      'Opportunity',
      'OpportunityContactRole',
      'OpportunityLineItem',
    ];
    const names = Object.keys(seed).filter((key) => key in this.objects);
    names.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
    for (const name of names)
      for (const record of seed[name] as Values[]) {
        const values = { ...record };
        if (name === 'PricebookEntry') values.Pricebook2Id ??= this.standardPricebookId;
        if (name === 'User') values.IsActive ??= true;
        const refused = this.check(name, values, 'seed');
        if (refused) throw new Error(`seed ${name} ${JSON.stringify(record)}: ${refused}`);
        this.insertRow(name, values);
      }
  }

  /** A copy of every row, for a collection call with allOrNone to roll back to. */
  snapshot() {
    return { rows: structuredClone(this.rows), next: new Map(this.next) };
  }

  restore(snapshot: ReturnType<SalesforceStore['snapshot']>) {
    this.valueIndexes.clear(); // the restored rows are copies: indexes are built again on first use
    for (const [name, table] of snapshot.rows) this.rows.set(name, table);
    for (const [name, n] of snapshot.next) this.next.set(name, n);
  }

  object(name: string): ObjectDef {
    const found = this.objectDef(name);
    if (!found) throw new SalesforceError(404, 'NOT_FOUND', `The requested resource does not exist`);
    return found;
  }

  /** A live record by id (15 or 18 characters). */
  get(name: string, id: string): Row | undefined {
    const row = this.table(name).get(caseSafeId(id));
    return row && !row.IsDeleted ? row : undefined;
  }

  live(name: string): Row[] {
    return [...this.table(name).values()].filter((row) => !row.IsDeleted);
  }

  /** Reads a request body's values as the platform's JSON deserialiser does: a wrong type fails the request. */
  deserialise(name: string, values: Values) {
    const definition = this.object(name);
    for (const [key, value] of Object.entries(values)) {
      const field = fieldDef(definition, key);
      if (field && value !== null && value !== undefined) typeCheck(field, value);
    }
  }

  insert(name: string, values: Values): Row {
    this.deserialise(name, values);
    const refused = this.check(name, values, 'insert');
    if (refused) throw refused;
    return this.insertRow(name, values);
  }

  update(name: string, id: string, values: Values): Row {
    this.deserialise(name, values);
    const row = this.get(name, id);
    if (!row) throw refuse('ENTITY_IS_DELETED', 'entity is deleted', []);
    const refused = this.check(name, values, 'update', row);
    if (refused) throw refused;
    this.unindex(name, row);
    Object.assign(row, this.normalise(name, values));
    this.index(name, row);
    this.touch(row);
    return row;
  }

  /** Upsert on an External ID field: update the record holding the value, else insert one. */
  upsert(name: string, externalField: string, values: Values): { row: Row; created: boolean } {
    const definition = this.object(name);
    const field = fieldDef(definition, externalField);
    if (!field || !field.externalId || this.withoutSourceIdField.has(definition.name))
      throw new SalesforceError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${externalField}`,
      );
    const key = values[field.name];
    if (key === undefined || key === null || key === '')
      throw refuse('MISSING_ARGUMENT', `${field.name} not specified`, [field.name]);
    const [existing] = this.holders(definition.name, field.name, key);
    if (existing) return { row: this.update(definition.name, existing.Id, values), created: false };
    return { row: this.insert(definition.name, values), created: true };
  }

  /** Soft delete, cascading as the platform does: an account takes its contacts and opportunities along. */
  remove(id: string) {
    const definition = this.objectOfId(id);
    const row = definition && this.get(definition.name, id);
    if (!definition || !row) throw refuse('ENTITY_IS_DELETED', 'entity is deleted', []);
    row.IsDeleted = true;
    this.unindex(definition.name, row);
    this.touch(row);
    const children: Record<string, [string, string][]> = {
      Account: [
        ['Contact', 'AccountId'],
        ['Opportunity', 'AccountId'],
      ],
      Opportunity: [
        ['OpportunityLineItem', 'OpportunityId'],
        ['OpportunityContactRole', 'OpportunityId'],
      ],
      Contact: [['OpportunityContactRole', 'ContactId']],
      // A product goes to the recycle bin with its price book entries.
      Product2: [['PricebookEntry', 'Product2Id']],
    };
    for (const [child, lookup] of children[definition.name] ?? [])
      for (const other of this.live(child)) if (other[lookup] === row.Id) this.remove(other.Id);
  }

  /** Rows a query selects, ordered and windowed; deleted rows only for queryAll. */
  query(query: SoqlQuery, includeDeleted: boolean): { definition: ObjectDef; rows: Row[] } {
    const definition = this.objectDef(query.object);
    if (!definition)
      throw new SalesforceError(
        400,
        'INVALID_TYPE',
        `sObject type '${query.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`,
      );
    for (const path of [...query.fields, ...query.orderBy.map((o) => o.field), ...conditionFields(query)])
      this.resolvePath(definition, path);
    let rows = [...this.table(definition.name).values()].filter(
      (row) =>
        (includeDeleted || !row.IsDeleted) &&
        matches(query.where, (path) => this.comparable(definition, row, path)),
    );
    if (query.orderBy.length > 0)
      rows.sort((a, b) => {
        for (const { field, descending, nullsLast } of query.orderBy) {
          const [x, y] = [this.comparable(definition, a, field), this.comparable(definition, b, field)];
          if ((x === null || x === undefined) !== (y === null || y === undefined))
            return (x === null || x === undefined) === nullsLast ? 1 : -1;
          const order = compare(x, y);
          if (order !== 0) return descending ? -order : order;
        }
        return 0;
      });
    rows = rows.slice(
      query.offset ?? 0,
      query.limit === undefined ? undefined : (query.offset ?? 0) + query.limit,
    );
    return { definition, rows };
  }

  /** A record as the REST API returns it: `attributes`, then the fields asked for (parents nested). */
  shape(definition: ObjectDef, row: Row, fields: string[], version: string): Values {
    const record: Values = { attributes: attributes(definition.name, row.Id, version) };
    for (const path of fields) {
      const [first, second] = path.split('.');
      if (!second) {
        const field = fieldDef(definition, first)!;
        record[field.name] = this.wire(field, this.value(definition.name, row, field.name));
        continue;
      }
      const lookup = this.relationship(definition, first);
      const parentId = this.value(definition.name, row, lookup.name) as string | null;
      const parentObject = this.objects[lookup.referenceTo!];
      const parent = parentId ? this.table(parentObject.name).get(parentId) : undefined;
      if (!parent) {
        record[lookup.relationshipName!] = null;
        continue;
      }
      const nested = (record[lookup.relationshipName!] ??= {
        attributes: attributes(parentObject.name, parent.Id, version),
      }) as Values;
      const field = fieldDef(parentObject, second)!;
      nested[field.name] = this.wire(field, this.value(parentObject.name, parent, field.name));
    }
    return record;
  }

  /** A field's value, computing the ones the platform derives. */
  value(name: string, row: Row, field: string): unknown {
    if (!DERIVED[name]?.includes(field)) return row[field] ?? null;
    const parent = (object: string, id: unknown) => (id ? this.table(object).get(scalarText(id)) : undefined);
    switch (`${name}.${field}`) {
      case 'User.Name':
      case 'Contact.Name':
        return [row.FirstName, row.LastName].filter(Boolean).join(' ');
      case 'Opportunity.Amount': {
        const lines = this.holders('OpportunityLineItem', 'OpportunityId', row.Id);
        if (lines.length === 0) return row.Amount ?? null;
        return round2(lines.reduce((sum, line) => sum + Number(line.Quantity) * Number(line.UnitPrice), 0));
      }
      case 'OpportunityLineItem.TotalPrice':
        return round2(Number(row.Quantity) * Number(row.UnitPrice));
      default: {
        // Product name, code and id, through the entry (and for a line, its opportunity's name too).
        const entry = name === 'PricebookEntry' ? row : parent('PricebookEntry', row.PricebookEntryId);
        const product = parent('Product2', entry?.Product2Id);
        if (field === 'Product2Id') return product?.Id ?? null;
        if (field === 'ProductCode') return product?.ProductCode ?? null;
        if (name === 'PricebookEntry') return product?.Name ?? null;
        return `${scalarText(parent('Opportunity', row.OpportunityId)?.Name)} ${scalarText(product?.Name)}`.trim();
      }
    }
  }

  // ---- validation ------------------------------------------------------------------------------------------

  /** The reason a write is refused (a RecordRefused), or undefined. Type errors refuse the whole request. */
  private check(name: string, values: Values, mode: 'insert' | 'update' | 'seed', row?: Row) {
    const definition = this.object(name);
    for (const [key, value] of Object.entries(values)) {
      if (key === 'attributes') continue;
      const field = fieldDef(definition, key);
      if (!field || (field.name === SALESFORCE_FACTS.sourceIdField && this.withoutSourceIdField.has(name)))
        return refuse('INVALID_FIELD', `No such column '${key}' on sobject of type ${definition.name}`, [
          key,
        ]);
      if (mode !== 'seed' && !(mode === 'insert' ? field.createable : field.updateable))
        return refuse(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [field.name],
        );
      if (value === null || value === undefined) continue;
      const problem = this.valueProblem(definition, field, value, row);
      if (problem) return problem;
    }
    const merged = { ...(row ?? {}), ...values };
    const missing = definition.fields
      .filter(
        (f) =>
          f.required && (merged[f.name] === undefined || merged[f.name] === null || merged[f.name] === ''),
      )
      .map((f) => f.name);
    if (missing.length > 0)
      return refuse(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    return this.ruleProblem(name, merged, row);
  }

  private valueProblem(definition: ObjectDef, field: FieldDef, value: unknown, row?: Row) {
    if (field.length !== undefined && typeof value === 'string' && value.length > field.length)
      return refuse(
        'STRING_TOO_LONG',
        `${field.label}: data value too large: ${value} (max length=${field.length})`,
        [field.name],
      );
    if (field.restrictedPicklist && !field.picklist!.includes(String(value)))
      return refuse(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        `${field.label}: bad value for restricted picklist field: ${String(value)}`,
        [field.name],
      );
    if (field.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(value)))
      return refuse('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${String(value)}`, [
        field.name,
      ]);
    if (field.type === 'reference') {
      const id = String(value);
      const target = this.objects[field.referenceTo!];
      if (!ID_SHAPE.test(id) || !id.startsWith(target.keyPrefix))
        return refuse('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${id}`, [
          field.name,
        ]);
      const parent = this.table(target.name).get(caseSafeId(id));
      if (!parent) return refuse('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
      if (parent.IsDeleted) return refuse('ENTITY_IS_DELETED', 'entity is deleted', [field.name]);
      if (field.name === 'OwnerId' && parent.IsActive === false)
        return refuse(
          'INACTIVE_OWNER_OR_USER',
          `operation performed with inactive user [${parent.Id}] as owner of ${definition.name.toLowerCase()}`,
          [field.name],
        );
    }
    if (field.unique) {
      const holder = this.holders(definition.name, field.name, value).find((other) => other.Id !== row?.Id);
      if (holder)
        return refuse(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${holder.Id}`,
          [field.name],
        );
    }
    return undefined;
  }

  /** Rules that span fields and records: price definitions, and a line's price book. */
  private ruleProblem(name: string, merged: Values, row?: Row) {
    if (name === 'PricebookEntry' && !row) {
      const taken = this.live('PricebookEntry').some(
        (entry) =>
          entry.Pricebook2Id === caseSafeId(String(merged.Pricebook2Id)) &&
          entry.Product2Id === caseSafeId(String(merged.Product2Id)),
      );
      if (taken)
        return refuse('DUPLICATE_VALUE', 'This price definition already exists in this price book', []);
    }
    if (name === 'OpportunityLineItem' && !row) {
      const entry = this.get('PricebookEntry', String(merged.PricebookEntryId));
      const opportunity = this.get('Opportunity', String(merged.OpportunityId));
      const pricebook = opportunity?.Pricebook2Id;
      if (entry && pricebook && pricebook !== entry.Pricebook2Id)
        return refuse(
          'FIELD_INTEGRITY_EXCEPTION',
          'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the opportunity)',
          ['PricebookEntryId'],
        );
    }
    return undefined;
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private insertRow(name: string, values: Values): Row {
    const n = (this.next.get(name) ?? 0) + 1;
    this.next.set(name, n);
    const id = typeof values.Id === 'string' ? caseSafeId(values.Id) : salesforceId(name, n);
    const now = this.tick();
    const row = {
      ...this.normalise(name, values),
      Id: id,
      IsDeleted: false,
      CreatedDate: now,
      LastModifiedDate: now,
      SystemModstamp: now,
    } as Row;
    if (name === 'OpportunityLineItem') {
      const entry = this.get('PricebookEntry', String(row.PricebookEntryId))!;
      row.UnitPrice ??= entry.UnitPrice;
      // The first line sets an opportunity's price book, as the platform does.
      const opportunity = this.get('Opportunity', String(row.OpportunityId))!;
      opportunity.Pricebook2Id ??= entry.Pricebook2Id;
      this.touch(opportunity);
    }
    this.table(name).set(id, row);
    this.index(name, row);
    return row;
  }

  /** Ids to 18 characters, numbers as numbers, field names as the object spells them. */
  private normalise(name: string, values: Values): Values {
    const definition = this.object(name);
    const out: Values = {};
    for (const [key, value] of Object.entries(values)) {
      if (key === 'attributes' || key === 'Id') continue;
      const field = fieldDef(definition, key)!;
      out[field.name] =
        value === null || value === undefined || value === ''
          ? null
          : field.type === 'reference'
            ? caseSafeId(scalarText(value))
            : ['currency', 'double', 'percent'].includes(field.type)
              ? Number(value)
              : value;
    }
    return out;
  }

  private touch(row: Row) {
    row.LastModifiedDate = row.SystemModstamp = this.tick();
  }

  /** The live rows whose `field` equals `value` as SOQL compares (case-insensitive text). */
  private holders(object: string, field: string, value: unknown): Row[] {
    const name = `${object}.${field}`;
    let index = this.valueIndexes.get(name);
    if (!index) {
      index = new Map();
      this.valueIndexes.set(name, index);
      for (const row of this.live(object)) addRow(index, row[field], row);
    }
    const key = equalityKey(value);
    const rows = key === undefined ? this.live(object) : [...(index.get(key) ?? [])];
    return rows.filter((row) => !row.IsDeleted && compare(row[field], value) === 0);
  }

  private index(name: string, row: Row): void {
    const object = this.object(name).name;
    for (const [key, index] of this.valueIndexes)
      if (key.startsWith(`${object}.`) && !row.IsDeleted)
        addRow(index, row[key.slice(object.length + 1)], row);
  }

  private unindex(name: string, row: Row): void {
    const object = this.object(name).name;
    for (const [key, index] of this.valueIndexes) {
      if (!key.startsWith(`${object}.`)) continue;
      const value = equalityKey(row[key.slice(object.length + 1)]);
      if (value !== undefined) index.get(value)?.delete(row);
    }
  }

  /** Milliseconds that never repeat, so SystemModstamp orders every write. */
  private tick(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  private table(name: string): Map<string, Row> {
    return this.rows.get(this.object(name).name)!;
  }

  private relationship(definition: ObjectDef, name: string): FieldDef {
    const lookup = definition.fields.find((f) => f.relationshipName?.toLowerCase() === name.toLowerCase());
    if (!lookup)
      throw new SalesforceError(
        400,
        'INVALID_FIELD',
        `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
      );
    return lookup;
  }

  private resolvePath(definition: ObjectDef, path: string) {
    const [first, second] = path.split('.');
    const target = second ? this.objects[this.relationship(definition, first).referenceTo!] : definition;
    const name = second ?? first;
    const field = fieldDef(target, name);
    if (
      !field ||
      (field.name === SALESFORCE_FACTS.sourceIdField && this.withoutSourceIdField.has(target.name))
    )
      throw new SalesforceError(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on entity '${target.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
      );
  }

  /** A value as a WHERE clause or ORDER BY compares it. */
  private comparable(definition: ObjectDef, row: Row, path: string): unknown {
    const [first, second] = path.split('.');
    if (!second) {
      const field = fieldDef(definition, first)!;
      const value = this.value(definition.name, row, field.name);
      return field.type === 'datetime' && typeof value === 'number' ? { datetime: value } : value;
    }
    const lookup = this.relationship(definition, first);
    const parent = row[lookup.name]
      ? this.table(lookup.referenceTo!).get(String(row[lookup.name]))
      : undefined;
    return parent ? this.comparable(this.objects[lookup.referenceTo!], parent, second) : null;
  }

  private wire(field: FieldDef, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (field.type === 'datetime') return wireDatetime(Number(value));
    return value;
  }
}

function attributes(name: string, id: string, version: string) {
  return { type: name, url: `/services/data/v${version}/sobjects/${name}/${id}` };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function conditionFields(query: SoqlQuery): string[] {
  const out: string[] = [];
  const walk = (c: NonNullable<SoqlQuery['where']>) => {
    if (c.kind === 'compare') out.push(c.field);
    else if (c.kind === 'not') walk(c.part);
    else c.parts.forEach(walk);
  };
  if (query.where) walk(query.where);
  return out;
}

/** A JSON value the field cannot hold fails the whole request, as the platform's deserialiser does. */
function typeCheck(field: FieldDef, value: unknown) {
  const bad = (what: string) =>
    new SalesforceError(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${what} from ${typeof value === 'string' ? 'VALUE_STRING' : 'VALUE'} value ${JSON.stringify(value)} or request may be missing a required field`,
    );
  switch (field.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('boolean');
      return;
    case 'currency':
    case 'double':
    case 'percent':
      if (!(
        typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      ))
        throw bad(field.type === 'currency' ? 'currency' : 'double');
      return;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
        throw bad('date');
      return;
    case 'id':
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'reference':
    case 'datetime':
      if (typeof value === 'object') throw bad('string');
  }
}

function addRow(index: Map<string, Set<Row>>, value: unknown, row: Row): void {
  const key = equalityKey(value);
  if (key === undefined) return;
  let rows = index.get(key);
  if (!rows) index.set(key, (rows = new Set()));
  rows.add(row);
}
