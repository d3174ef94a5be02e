import {
  type CallLimiter,
  type Connector,
  type EntityName,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type PlatformInfo,
  previewOutcomes,
  type ReadOptions,
  type ReadPage,
  scalarText,
  SwitchyardError,
} from '../../src/connectors';
import { bulkQueryPages } from './salesforce.bulk';
import { SalesforceClient } from './salesforce.client';
import { SALESFORCE_FACTS } from './salesforce.facts';
import { ENTITY_DESCRIPTORS, OBJECT_OF, quote, readsByObject, salesforceEntity } from './salesforce.objects';
import { SalesforceOwners } from './salesforce.owners';
import { SalesforceQueries } from './salesforce.queries';
import { fieldsOf, SalesforceWriter } from './salesforce.writer';

export interface SalesforceOptions {
  concurrency: number;
  limiter?: CallLimiter;
  /** Full reads of objects with more records than this use a Bulk API 2.0 query job. */
  bulkThreshold?: number;
  bulkPollMs?: number;
  /** Per entity, the paths the mappings in use read: the fields selected beyond the connector's own. */
  reads?: Record<string, string[]>;
}

/**
 * Salesforce through jsforce: accounts, contacts, opportunities with their contact roles and lines,
 * products with their standard price, and users (matched by email). Full reads walk the object by Id
 * (`WHERE Id > last ORDER BY Id`), following nextRecordsUrl within a query, through a Bulk API 2.0 job
 * when the object is large; delta runs read `SystemModstamp` onwards. Writes: see SalesforceWriter.
 */
export class SalesforceConnector implements Connector {
  readonly platform = 'salesforce';
  readonly entities = ENTITY_DESCRIPTORS;
  private readonly client: SalesforceClient;
  private readonly queries: SalesforceQueries;
  private readonly owners: SalesforceOwners;
  private readonly writer: SalesforceWriter;

  constructor(
    url: string,
    accessToken: string,
    private readonly options: SalesforceOptions,
  ) {
    if (!accessToken)
      throw new SwitchyardError(
        'PLAN_INVALID',
        'salesforce needs credentials.accessToken (an OAuth access token)',
      );
    this.client = new SalesforceClient(url, accessToken, options.concurrency, options.limiter);
    this.queries = new SalesforceQueries(this.client, readsByObject(options.reads));
    this.owners = new SalesforceOwners(this.queries);
    this.writer = new SalesforceWriter(this.client, this.queries);
  }

  get stats() {
    return this.client.stats;
  }

  async check(): Promise<PlatformInfo> {
    const limits = await this.client.call('read limits', (conn) =>
      conn.request<{ DailyApiRequests?: { Max: number; Remaining: number } }>('/limits'),
    );
    const org =
      (await this.queries.all('SELECT Name, DefaultCurrencyIsoCode FROM Organization LIMIT 1'))[0] ?? {};
    const daily = limits.DailyApiRequests;
    return {
      currency: scalarText(org.DefaultCurrencyIsoCode, 'USD'),
      name: `Salesforce org ${scalarText(org.Name, '?')}${daily ? ` (${daily.Remaining} of ${daily.Max} API requests left today)` : ''}`,
    };
  }

  idOf(_entity: EntityName, record: NativeRecord): string {
    return scalarText(record.Id);
  }

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    const object = OBJECT_OF[salesforceEntity(entity)];
    const fields = (await this.queries.readFields(object)).join(', ');
    const [kind, value] = splitCursor(options.cursor);
    if (options.modifiedSince) {
      // Records that share the last page's stamp come again on resume; the upsert absorbs them.
      const since =
        kind === 'stamp'
          ? `SystemModstamp >= ${value}`
          : `SystemModstamp > ${new Date(options.modifiedSince).toISOString()}`;
      const soql = `SELECT ${fields} FROM ${object} WHERE ${since} ORDER BY SystemModstamp, Id`;
      yield* this.paged(
        object,
        this.queries.pages(soql, options.pageSize),
        (last) => `stamp:${toSoqlDatetime(last.SystemModstamp)}`,
      );
      return;
    }
    const after = kind === 'id' ? ` WHERE Id > ${quote(value)}` : '';
    const soql = `SELECT ${fields} FROM ${object}${after} ORDER BY Id`;
    const threshold = this.options.bulkThreshold ?? SALESFORCE_FACTS.bulkQueryThreshold;
    const bulk = !fields.includes('.') && (await this.queries.count(object)) > threshold;
    const pages = bulk
      ? bulkQueryPages(
          this.client,
          this.queries,
          object,
          soql,
          options.pageSize,
          this.options.bulkPollMs ?? 2000,
        )
      : this.queries.pages(soql, options.pageSize);
    yield* this.paged(object, pages, (last) => `id:${scalarText(last.Id)}`);
  }

  /** The object's fields a user can set (createable or updateable), the connector's own source id aside. */
  async fieldsOf(entity: EntityName): Promise<string[]> {
    const object = OBJECT_OF[salesforceEntity(entity)];
    return this.queries.settableFields(object);
  }

  async fetch(entity: EntityName, ids: string[], fields: string[] = []): Promise<NativeRecord[]> {
    const object = OBJECT_OF[salesforceEntity(entity)];
    const select = fields.length > 0 ? await this.queries.readFields(object, fields) : undefined;
    return this.withParts(object, await this.queries.where(object, 'Id', ids, select));
  }

  async count(entity: EntityName): Promise<number | null> {
    return this.queries.count(OBJECT_OF[salesforceEntity(entity)]);
  }

  /** Records in the org's recycle bin (`queryAll`, `IsDeleted = true`) stamped at or after `since`. */
  async deletedSince(entity: EntityName, since: string): Promise<string[]> {
    const kind = salesforceEntity(entity);
    if (kind === 'users') return [];
    const soql = `SELECT Id FROM ${OBJECT_OF[kind]} WHERE IsDeleted = true AND SystemModstamp >= ${new Date(since).toISOString()}`;
    return (await this.queries.all(soql, true)).map((record) => scalarText(record.Id));
  }

  async delete(entity: EntityName, ids: string[]): Promise<void> {
    const kind = salesforceEntity(entity);
    // Users are never created, so an undo never removes one. An opportunity takes its lines and roles along.
    if (kind === 'users') return;
    await this.writer.remove(OBJECT_OF[kind], ids);
  }

  async upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = salesforceEntity(entity);
    if (kind === 'users') return this.owners.match(items);
    return this.writer.upsert(OBJECT_OF[kind], items);
  }

  /** What upsert would do, by the same lookups (the External ID), writing nothing. */
  async preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = salesforceEntity(entity);
    if (kind === 'users') return this.owners.match(items);
    const unknown = items.filter((item) => !item.destinationId).map((item) => item.sourceId);
    const found =
      unknown.length > 0
        ? await this.writer.findBySourceId(OBJECT_OF[kind], unknown)
        : new Map<string, string>();
    const outcomes = previewOutcomes(items, found);
    return Promise.all(
      outcomes.map(async (outcome, index): Promise<LoadOutcome> => {
        if (outcome.action === 'failed' || outcome.action === 'unknown') return outcome;
        const problems = await this.queries.refusals(
          OBJECT_OF[kind],
          fieldsOf(items[index].payload),
          outcome.action === 'created',
        );
        if (problems.length === 0) return outcome;
        return { sourceId: outcome.sourceId, action: 'failed', error: problems.join('; ') };
      }),
    );
  }

  private async *paged(
    object: string,
    pages: AsyncIterable<NativeRecord[]>,
    cursorAfter: (last: NativeRecord) => string,
  ): AsyncIterable<ReadPage> {
    let previous: NativeRecord[] | undefined;
    // One page is held back so the last one can say it is the last.
    for await (const page of pages) {
      if (previous)
        yield { records: await this.withParts(object, previous), nextCursor: cursorAfter(previous.at(-1)!) };
      previous = page;
    }
    yield { records: await this.withParts(object, previous ?? []), nextCursor: null };
  }

  /** An opportunity carries its contact roles and lines; a product its standard price. */
  private async withParts(object: string, records: NativeRecord[]): Promise<NativeRecord[]> {
    const ids = records.map((record) => scalarText(record.Id));
    if (ids.length === 0) return records;
    if (object === 'Opportunity') {
      const [roles, lines] = await Promise.all([
        this.queries.where('OpportunityContactRole', 'OpportunityId', ids),
        this.queries.where('OpportunityLineItem', 'OpportunityId', ids),
      ]);
      return records.map((record) => ({
        ...record,
        ContactRoles: roles.filter((role) => role.OpportunityId === record.Id),
        LineItems: lines.filter((line) => line.OpportunityId === record.Id),
      }));
    }
    if (object === 'Product2') {
      const entries = await this.queries.standardEntries(ids);
      return records.map((record) => {
        const entry = entries.get(scalarText(record.Id));
        return { ...record, PricebookEntryId: entry?.Id ?? null, UnitPrice: entry?.UnitPrice ?? null };
      });
    }
    return records;
  }
}

function splitCursor(cursor: string | null): [string, string] {
  if (!cursor) return ['', ''];
  const at = cursor.indexOf(':');
  return [cursor.slice(0, at), cursor.slice(at + 1)];
}

/** `2024-01-15T10:30:00.000+0000` → a SOQL datetime literal. */
function toSoqlDatetime(value: unknown): string {
  return new Date(scalarText(value).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
}
