import { cursorPages, scalarText } from '../../src/connectors';
import type { HubSpotClient } from './hubspot.client';
import { HUBSPOT_FACTS, type HubSpotObjectType } from './hubspot.facts';

const SOURCE_ID = HUBSPOT_FACTS.sourceIdProperty;

/**
 * The records of an object that cannot have a unique source id (products), by the source id each carries.
 * It is read from the object's list, which shows every write at once; search would be cheaper but lags
 * behind writes, and a record a lost reply created must be found the moment the write is sent again. Read
 * once a run, kept up to date with the writer's own creates, and read again whenever a write may have
 * landed unseen (a lost reply, a crashed run's pending record). Where two records carry one source id
 * (made outside Switchyard), the oldest is the one matched.
 */
export class SourceIdIndex {
  private index?: Promise<Map<string, string>>;
  /** The index once read: what `remember` adds to. */
  private read?: Map<string, string>;

  constructor(
    private readonly client: HubSpotClient,
    private readonly type: HubSpotObjectType,
  ) {}

  /** The HubSpot id of each source id the object holds; `fresh` reads the list again first. */
  async lookup(keys: string[], fresh: boolean): Promise<Map<string, string>> {
    if (fresh) this.forget();
    if (!this.index) {
      const reading = this.readAll();
      this.index = reading;
      reading.then(
        (index) => this.index === reading && (this.read = index),
        () => this.index === reading && (this.index = undefined),
      );
    }
    const index = await this.index;
    const found = new Map<string, string>();
    for (const key of keys) {
      const id = index.get(key);
      if (id) found.set(key, id);
    }
    return found;
  }

  /** A record the writer has just created (or found by id): matched from now on without a read. */
  remember(key: string, id: string): void {
    this.read?.set(key, id);
  }

  /** An answer was lost: the next lookup reads the list again. */
  forget(): void {
    this.index = undefined;
    this.read = undefined;
  }

  private async readAll(): Promise<Map<string, string>> {
    const index = new Map<string, string>();
    const pages = cursorPages<{ id: string; key: string }>({
      cursor: null,
      fetch: async (after) => {
        const page = await this.client.call(`list ${this.type} source ids`, () =>
          this.client.sdk.crm.objects.basicApi.getPageWithHttpInfo(
            this.type,
            HUBSPOT_FACTS.maxPageSize,
            after,
            [SOURCE_ID],
            undefined,
            undefined,
            false,
          ),
        );
        return {
          records: page.results.map((object) => ({
            id: object.id,
            key: scalarText(object.properties[SOURCE_ID]),
          })),
          after: page.paging?.next?.after,
        };
      },
    });
    for await (const page of pages)
      for (const { id, key } of page.records) {
        const held = index.get(key);
        if (key && (!held || Number(id) < Number(held))) index.set(key, id);
      }
    return index;
  }
}
