import { type NativeRecord, scalarText, SwitchyardError } from '../../src/connectors';
import type { SalesforceClient } from './salesforce.client';
import { SALESFORCE_FACTS } from './salesforce.facts';
import { OWN_FIELDS, plainRecord, quote } from './salesforce.objects';

interface QueryResult {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: NativeRecord[];
}
interface DescribedField {
  name: string;
  type: string;
  externalId: boolean;
  unique: boolean;
  relationshipName?: string | null;
  createable?: boolean;
  updateable?: boolean;
  nillable?: boolean;
  defaultedOnCreate?: boolean;
}

/** IN-lists of up to this many ids keep a query's URL well under the platform's limits. */
const IDS_PER_QUERY = 200;

/** SOQL through jsforce: batches followed by `nextRecordsUrl`, describes cached per object. */
export class SalesforceQueries {
  private readonly described = new Map<string, Promise<Map<string, DescribedField>>>();
  private standardPricebook?: Promise<string | undefined>;

  constructor(
    private readonly client: SalesforceClient,
    /** Per object, the paths the mappings in use read (`Loyalty_Tier__c`, `Owner.Email`). */
    private readonly reads: Record<string, string[]> = {},
  ) {}

  /**
   * A query's batches, each up to `batchSize` records (200–2,000), following nextRecordsUrl; `withDeleted` goes
   * through `queryAll`, which also sees the recycle bin.
   */
  async *pages(
    soql: string,
    batchSize: number = SALESFORCE_FACTS.maxQueryBatch,
    withDeleted = false,
  ): AsyncIterable<NativeRecord[]> {
    const size = Math.min(
      SALESFORCE_FACTS.maxQueryBatch,
      Math.max(SALESFORCE_FACTS.minQueryBatch, batchSize),
    );
    const headers = { 'Sforce-Query-Options': `batchSize=${size}` };
    let result = await this.client.call(`query ${soql.slice(0, 80)}`, (conn) =>
      conn.request<QueryResult>({
        method: 'GET',
        url: `/${withDeleted ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`,
        headers,
      }),
    );
    for (;;) {
      yield result.records.map(plainRecord);
      const next = result.nextRecordsUrl;
      if (result.done || !next) return;
      result = await this.client.call('query more', (conn) =>
        conn.request<QueryResult>({ method: 'GET', url: next, headers }),
      );
    }
  }

  async all(soql: string, withDeleted = false): Promise<NativeRecord[]> {
    const records: NativeRecord[] = [];
    for await (const page of this.pages(soql, SALESFORCE_FACTS.maxQueryBatch, withDeleted))
      records.push(...page);
    return records;
  }

  async count(object: string): Promise<number> {
    const result = await this.client.call(`count ${object}`, (conn) =>
      conn.request<QueryResult>(`/query?q=${encodeURIComponent(`SELECT COUNT() FROM ${object}`)}`),
    );
    return result.totalSize;
  }

  /** Records whose `field` is one of `values`, in IN-lists of 200. */
  async where(object: string, field: string, values: string[], fields?: string[]): Promise<NativeRecord[]> {
    const select = (fields ?? (await this.readFields(object))).join(', ');
    const found: NativeRecord[] = [];
    const unique = [...new Set(values)];
    for (let start = 0; start < unique.length; start += IDS_PER_QUERY) {
      const list = unique
        .slice(start, start + IDS_PER_QUERY)
        .map(quote)
        .join(', ');
      found.push(
        ...(await this.all(`SELECT ${select} FROM ${object} WHERE ${field} IN (${list}) ORDER BY Id`)),
      );
    }
    return found;
  }

  /** The org's standard price book (looked up once); undefined if the org has none. */
  standardPricebookId(): Promise<string | undefined> {
    this.standardPricebook ??= this.all('SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1').then(
      (rows) => (rows[0] ? scalarText(rows[0].Id) : undefined),
    );
    this.standardPricebook.catch(() => (this.standardPricebook = undefined));
    return this.standardPricebook;
  }

  /** Products' entries in the standard price book, by product id. */
  async standardEntries(productIds: string[]): Promise<Map<string, NativeRecord>> {
    if (productIds.length === 0) return new Map();
    const pricebook = await this.standardPricebookId();
    const entries = await this.where('PricebookEntry', 'Product2Id', productIds, [
      'Id',
      'Product2Id',
      'UnitPrice',
      'Pricebook2Id',
    ]);
    return new Map(
      entries
        .filter((entry) => entry.Pricebook2Id === pricebook)
        .map((entry) => [scalarText(entry.Product2Id), entry]),
    );
  }

  /**
   * What to SELECT of an object: the connector's own fields the org has (a source org may lack the source-id
   * field) and every field the mappings read: a field, or a parent's field through its relationship
   * (`Product2.Name`). A custom field the org lacks is a mapping error said before anything is read.
   */
  async readFields(object: string, also: string[] = []): Promise<string[]> {
    const fields = await this.describe(object);
    const wanted = new Set(OWN_FIELDS[object].filter((name) => fields.has(name.toLowerCase())));
    const relationships = new Set(
      [...fields.values()].flatMap((field) => (field.relationshipName ? [field.relationshipName] : [])),
    );
    // Fields a write is about to set (an update's before-image): those the object has.
    for (const name of also)
      if (fields.has(name.toLowerCase())) wanted.add(fields.get(name.toLowerCase())!.name);
    for (const path of this.reads[object] ?? []) {
      const [first, second] = path.split('.');
      if (fields.has(first.toLowerCase())) wanted.add(fields.get(first.toLowerCase())!.name);
      else if (second && relationships.has(first)) wanted.add(`${first}.${second}`);
      else if (/__c$/i.test(first))
        throw new SwitchyardError(
          'MAPPING_INVALID',
          `the mapping reads ${object}.${first}, which this Salesforce org does not have; add the field (Setup → Object Manager → ${object} → Fields) or take it out of the mapping`,
        );
    }
    return [...wanted];
  }

  /**
   * What Salesforce would refuse in a record's fields, foreseen from the object's describe: a field it does
   * not have or that cannot be set (INVALID_FIELD), and on a create a required field left empty
   * (REQUIRED_FIELD_MISSING). Empty when the write would pass these checks.
   */
  async refusals(object: string, fields: NativeRecord, creating: boolean): Promise<string[]> {
    const described = await this.describe(object);
    const problems: string[] = [];
    for (const name of Object.keys(fields)) {
      const field = described.get(name.toLowerCase());
      if (!field) problems.push(`INVALID_FIELD: No such column '${name}' on sObject type '${object}'`);
      else if (!(creating ? field.createable : field.updateable))
        problems.push(
          `INVALID_FIELD_FOR_INSERT_UPDATE: ${object}.${name} cannot be ${creating ? 'set on create' : 'updated'}`,
        );
    }
    if (creating) {
      const missing = [...described.values()]
        .filter(
          (field) =>
            field.createable &&
            field.nillable === false &&
            !field.defaultedOnCreate &&
            field.type !== 'boolean' &&
            (fields[field.name] === undefined || fields[field.name] === null || fields[field.name] === ''),
        )
        .map((field) => field.name);
      if (missing.length > 0)
        problems.push(`REQUIRED_FIELD_MISSING: Required fields are missing: [${missing.join(', ')}]`);
    }
    return problems;
  }

  /** Fields a user can set on the object, the connector's source id aside: what a mapping might carry. */
  async settableFields(object: string): Promise<string[]> {
    return [...(await this.describe(object)).values()]
      .filter(
        (field) => (field.createable || field.updateable) && field.name !== SALESFORCE_FACTS.sourceIdField,
      )
      .map((field) => field.name);
  }

  /** The object's fields by lower-case name. */
  describe(object: string): Promise<Map<string, DescribedField>> {
    let known = this.described.get(object);
    if (!known) {
      known = this.client
        .call(`describe ${object}`, (conn) =>
          conn.request<{ fields: DescribedField[] }>(`/sobjects/${object}/describe`),
        )
        .then((result) => new Map(result.fields.map((field) => [field.name.toLowerCase(), field])));
      known.catch(() => this.described.delete(object));
      this.described.set(object, known);
    }
    return known;
  }
}
