import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter';
import type { Property } from '@hubspot/api-client/lib/codegen/crm/properties/models/Property';
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
  cursorPages,
} from '../../src/connectors';
import { HubSpotClient } from './hubspot.client';
import { HUBSPOT_FACTS, type HubSpotObjectType } from './hubspot.facts';
import {
  ENTITY_DESCRIPTORS,
  hubSpotEntity,
  LINKED,
  nativeRecord,
  OBJECT_OF,
  NOT_PROPERTIES,
  propertiesToRead,
} from './hubspot.objects';
import { HubSpotOwners } from './hubspot.owners';
import { HubSpotWriter } from './hubspot.writer';

interface SdkObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: Date;
  updatedAt: Date;
  archived?: boolean;
  archivedAt?: Date;
  associations?: Record<string, { results: { id: string }[] }>;
}

/**
 * HubSpot CRM through the official @hubspot/api-client: companies, contacts, deals with their line items,
 * products, and owners (users, matched by email). Reads list with `after` cursors and the records' links
 * inline; a delta run searches on the last-modified date instead. Writes: see HubSpotWriter.
 */
export class HubSpotConnector implements Connector {
  readonly platform = 'hubspot';
  readonly entities = ENTITY_DESCRIPTORS;
  private readonly client: HubSpotClient;
  private readonly owners: HubSpotOwners;
  private readonly writer: HubSpotWriter;

  constructor(
    url: string,
    accessToken: string,
    private readonly options: {
      concurrency: number;
      limiter?: CallLimiter;
      reads?: Record<string, string[]>;
    },
  ) {
    if (!accessToken)
      throw new SwitchyardError(
        'PLAN_INVALID',
        'hubspot needs credentials.accessToken (a private app token)',
      );
    this.client = new HubSpotClient(url, accessToken, options.concurrency, options.limiter);
    this.owners = new HubSpotOwners(this.client);
    this.writer = new HubSpotWriter(this.client);
  }

  get stats() {
    return this.client.stats;
  }

  /** The properties read of one object type: what the mappings in use read, and the connector's own. */
  private properties(type: HubSpotObjectType): string[] {
    return propertiesToRead(this.options.reads, type);
  }

  async check(): Promise<PlatformInfo> {
    const account = await this.client.raw<{ portalId?: number; companyCurrency?: string }>(
      'read account details',
      '/account-info/v3/details',
    );
    return {
      currency: account.companyCurrency ?? 'USD',
      name: `HubSpot portal ${scalarText(account.portalId, '?')}`,
    };
  }

  idOf(_entity: EntityName, record: NativeRecord): string {
    return scalarText(record.id);
  }

  async *read(entity: EntityName, options: ReadOptions): AsyncIterable<ReadPage> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') {
      yield* this.owners.read(options.cursor, options.pageSize);
      return;
    }
    const type = OBJECT_OF[kind];
    const limit = Math.min(options.pageSize, HUBSPOT_FACTS.maxPageSize);
    if (options.modifiedSince) {
      yield* this.readModified(type, limit, options.modifiedSince, options.cursor);
      return;
    }
    const pages = cursorPages<NativeRecord>({
      cursor: options.cursor,
      fetch: async (after) => {
        const page = await this.client.call(`list ${type}`, () =>
          this.client.sdk.crm.objects.basicApi.getPageWithHttpInfo(
            type,
            limit,
            after,
            this.properties(type),
            undefined,
            LINKED[type],
            false,
          ),
        );
        const records = (page.results as SdkObject[]).map((object) =>
          nativeRecord(object, inlineLinks(object)),
        );
        return { records, after: page.paging?.next?.after };
      },
    });
    for await (const page of pages)
      yield { records: await this.withLines(type, page.records), nextCursor: page.nextCursor };
  }

  /** A record's properties flat, as upsert writes them: what an update's before-image is taken from. */
  writeShape(_entity: EntityName, record: NativeRecord): NativeRecord {
    return { ...(record.properties as NativeRecord) };
  }

  /** The object's properties a person or integration can set, the connector's own source id aside. */
  async fieldsOf(entity: EntityName): Promise<string[]> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') return [];
    return (await this.propertyDefinitions(OBJECT_OF[kind]))
      .filter(
        (property) =>
          property.name !== HUBSPOT_FACTS.sourceIdProperty &&
          !property.name.startsWith('hs_') &&
          property.modificationMetadata?.readOnlyValue !== true,
      )
      .map((property) => `properties.${property.name}`);
  }

  async fetch(entity: EntityName, ids: string[], fields: string[] = []): Promise<NativeRecord[]> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') return this.owners.fetch(ids);
    const type = OBJECT_OF[kind];
    const wanted = [
      ...new Set([...this.properties(type), ...fields.filter((field) => !NOT_PROPERTIES.has(field))]),
    ];
    const found = await this.writer.batchRead(type, ids, wanted);
    return this.withLines(type, await this.withLinks(type, found));
  }

  async count(entity: EntityName): Promise<number | null> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') return this.owners.count();
    const type = OBJECT_OF[kind];
    const response = await this.client.call(
      `count ${type}`,
      () => this.client.sdk.crm.objects.searchApi.doSearchWithHttpInfo(type, { limit: 1, filterGroups: [] }),
      { search: true },
    );
    return response.total;
  }

  /** Archived objects (`archived=true`), archived at or after `since`. Owners are never deleted here. */
  async deletedSince(entity: EntityName, since: string): Promise<string[]> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') return [];
    const type = OBJECT_OF[kind];
    const pages = cursorPages<SdkObject>({
      cursor: null,
      fetch: async (after) => {
        const page = await this.client.call(`list archived ${type}`, () =>
          this.client.sdk.crm.objects.basicApi.getPageWithHttpInfo(
            type,
            HUBSPOT_FACTS.maxPageSize,
            after,
            [],
            undefined,
            undefined,
            true,
          ),
        );
        return { records: page.results, after: page.paging?.next?.after };
      },
    });
    const ids: string[] = [];
    for await (const page of pages)
      for (const object of page.records)
        if (!object.archivedAt || new Date(object.archivedAt).getTime() >= Date.parse(since))
          ids.push(object.id);
    return ids;
  }

  async delete(entity: EntityName, ids: string[]): Promise<void> {
    const kind = hubSpotEntity(entity);
    // Owners are never created, so an undo never removes one.
    if (kind === 'users') return;
    const type = OBJECT_OF[kind];
    if (type === 'deals') {
      const lines = await this.writer.associations('deals', 'line_items', ids);
      await this.writer.archive('line_items', [...lines.values()].flat());
    }
    await this.writer.archive(type, ids);
  }

  async upsert(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') return this.owners.match(items);
    // The writer sends records, line items and associations each in calls of 100: a load of more fills them.
    return this.writer.upsert(OBJECT_OF[kind], items);
  }

  /**
   * What upsert would do, by the same lookups and with no writes: a record HubSpot holds under its source
   * id (or, for contacts, its email) would be updated; anything else created. Owners match as in a run.
   */
  async preview(entity: EntityName, items: LoadItem[]): Promise<LoadOutcome[]> {
    const kind = hubSpotEntity(entity);
    if (kind === 'users') return this.owners.match(items);
    const type = OBJECT_OF[kind];
    const unknown = items.filter((item) => !item.destinationId);
    const found =
      unknown.length > 0 && (await this.writer.hasSourceIdProperty(type, false))
        ? await this.writer.findBySourceId(
            type,
            unknown.map((item) => item.sourceId),
          )
        : new Map<string, string>();
    if (type === 'contacts') {
      const emails = unknown
        .filter((item) => !found.has(item.sourceId))
        .map((item) => scalarText(item.payload.email).toLowerCase())
        .filter(Boolean);
      const byEmail = await this.writer.readBy('contacts', 'email', emails);
      for (const item of unknown) {
        const id = byEmail.get(scalarText(item.payload.email).toLowerCase());
        if (id && !found.has(item.sourceId)) found.set(item.sourceId, id);
      }
    }
    // A property the portal does not define is refused by HubSpot (PROPERTY_DOESNT_EXIST): foreseen here.
    const [defined, lineDefined] = await Promise.all([
      this.propertyNames(type),
      type === 'deals' ? this.propertyNames('line_items') : undefined,
    ]);
    return previewOutcomes(items, found).map((outcome, index) => {
      const missing = undefinedProperties(items[index], defined, lineDefined);
      if (missing.length === 0) return outcome;
      return {
        sourceId: outcome.sourceId,
        action: 'failed',
        error: `HubSpot has no ${missing.join(', ')} property; create it (Settings → Properties) or take it out of the mapping`,
      };
    });
  }

  private readonly definedProperties = new Map<HubSpotObjectType, Promise<Property[]>>();

  /** The properties the portal defines for an object type, read once per run. */
  private propertyDefinitions(type: HubSpotObjectType): Promise<Property[]> {
    let known = this.definedProperties.get(type);
    if (!known) {
      known = this.client
        .call(`read ${type} properties`, () =>
          this.client.sdk.crm.properties.coreApi.getAllWithHttpInfo(type),
        )
        .then((all) => all.results);
      known.catch(() => this.definedProperties.delete(type));
      this.definedProperties.set(type, known);
    }
    return known;
  }

  private async propertyNames(type: HubSpotObjectType): Promise<Set<string>> {
    return new Set((await this.propertyDefinitions(type)).map((property) => property.name));
  }

  // ---- reads -----------------------------------------------------------------------------------------

  /**
   * A delta run: search for records modified since, oldest first. Search pages stop at 10,000 results,
   * so the window restarts from the last record's modified time before that (records sharing that
   * instant come again, which an upsert absorbs). Cursor: `<since ms>:<after>`.
   */
  private async *readModified(
    type: HubSpotObjectType,
    limit: number,
    modifiedSince: string,
    cursor: string | null,
  ): AsyncIterable<ReadPage> {
    const property = HUBSPOT_FACTS.modifiedProperty[type];
    const [sinceText, afterText] = (cursor ?? '').split(':');
    let since = sinceText ? Number(sinceText) : Date.parse(modifiedSince);
    let after = afterText || undefined;
    for (;;) {
      const page = await this.client.call(
        `search ${type}`,
        () =>
          this.client.sdk.crm.objects.searchApi.doSearchWithHttpInfo(type, {
            filterGroups: [
              {
                filters: [{ propertyName: property, operator: FilterOperatorEnum.Gte, value: String(since) }],
              },
            ],
            sorts: [property],
            properties: this.properties(type),
            limit,
            after,
          }),
        { search: true },
      );
      const records = await this.withLines(type, await this.withLinks(type, page.results));
      after = page.paging?.next?.after;
      if (after && Number(after) + limit > HUBSPOT_FACTS.searchMaxResults) {
        const last = Date.parse(scalarText(page.results.at(-1)?.properties[property]));
        if (!(last > since))
          throw new SwitchyardError(
            'PLATFORM_REJECTED',
            `more than ${HUBSPOT_FACTS.searchMaxResults} HubSpot ${type} share one modified time; run without a modified-since window`,
          );
        [since, after] = [last, undefined];
      }
      const more = after !== undefined || page.results.length === limit;
      yield { records, nextCursor: more ? `${since}:${after ?? ''}` : null };
      if (!more) return;
    }
  }

  /** Adds each record's links (v4 batch read), for records read without them (search, batch read). */
  private async withLinks(type: HubSpotObjectType, objects: SdkObject[]): Promise<NativeRecord[]> {
    const ids = objects.map((object) => object.id);
    const linked = await Promise.all(LINKED[type].map((to) => this.writer.associations(type, to, ids)));
    return objects.map((object) =>
      nativeRecord(
        object,
        Object.fromEntries(LINKED[type].map((to, i) => [to, linked[i].get(object.id) ?? []])),
      ),
    );
  }

  /** A deal carries its line items (by id order, which is the order they were added). */
  private async withLines(type: HubSpotObjectType, records: NativeRecord[]): Promise<NativeRecord[]> {
    if (type !== 'deals') return records;
    const lineIds = (record: NativeRecord) =>
      ((record.associations as Record<string, string[]>).line_items ?? [])
        .slice()
        .sort((a, b) => Number(a) - Number(b));
    const wanted = [...new Set(records.flatMap(lineIds))];
    const lines = new Map(
      (await this.writer.batchRead('line_items', wanted, this.properties('line_items'))).map((line) => [
        line.id,
        nativeRecord(line),
      ]),
    );
    return records.map((record) => ({
      ...record,
      lineItems: lineIds(record)
        .map((id) => lines.get(id))
        .filter(Boolean),
    }));
  }
}

/** The links a list call returns inline (`associations=`), as ids by object type. */
function inlineLinks(object: SdkObject): Partial<Record<HubSpotObjectType, string[]>> {
  return Object.fromEntries(
    Object.entries(object.associations ?? {}).map(([type, links]) => [
      type,
      links.results.map((link) => String(link.id)),
    ]),
  );
}

/** The item's properties (and its lines') the portal does not define, named `<object>.<property>`. */
function undefinedProperties(
  item: LoadItem,
  defined: Set<string>,
  lineDefined: Set<string> | undefined,
): string[] {
  const missing = Object.keys(item.payload).filter((name) => !NOT_PROPERTIES.has(name) && !defined.has(name));
  const lines = item.children?.lineItems ?? [];
  const lineMissing = lineDefined
    ? [...new Set(lines.flatMap((line) => Object.keys(line)))].filter(
        (name) => name !== 'key' && !lineDefined.has(name),
      )
    : [];
  return [...missing.map((name) => `"${name}"`), ...lineMissing.map((name) => `line item "${name}"`)];
}
