import { scalarText } from '../../src/connectors';
import type { WooClient } from './woocommerce.client';
import { WOO_FACTS } from './woocommerce.facts';

type Row = Record<string, any>;
export type IndexedKind = 'customers' | 'products' | 'orders';

/** The natural key WooCommerce itself keeps unique, where it has one: a customer's email, a product's SKU. */
export function naturalKeyOf(kind: IndexedKind, record: Row): string {
  if (kind === 'customers') return scalarText(record.email).toLowerCase();
  if (kind === 'products') return scalarText(record.sku);
  return '';
}

export function sourceIdOf(record: Row): string | undefined {
  const meta = (record.meta_data as Row[] | undefined)?.find((m) => m.key === WOO_FACTS.sourceIdMetaKey);
  return meta?.value === undefined || meta.value === null ? undefined : scalarText(meta.value);
}

/**
 * What the store already holds of one resource, by source identity (the `_switchyard_source_id` meta every
 * record Switchyard writes carries) and by natural key. wc/v3 cannot filter on meta, so the index is one
 * scan of the resource (ids, keys and meta only), made the first time a record without a ledger id is about
 * to be created, and brought up to date (records with a higher id than the last scan saw) whenever a write's
 * outcome was unknown. No time window: a record created a minute or a month ago is found the same way.
 */
export class WooIdentityIndex {
  private readonly bySource = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  private readonly sourceById = new Map<number, string>();
  private highestId = 0;
  private loaded = false;
  private stale = false;

  constructor(
    private readonly client: WooClient,
    private readonly kind: IndexedKind,
  ) {}

  /** A write went unanswered: whatever it created must be seen before anything is created again. */
  markStale(): void {
    this.stale = true;
  }

  /** The record holding this source id, or else this natural key. */
  async find(sourceId: string, key: string): Promise<{ id: number; holder?: string } | undefined> {
    await this.ensure();
    const id = this.bySource.get(sourceId) ?? (key ? this.byKey.get(key) : undefined);
    return id === undefined ? undefined : { id, holder: this.sourceById.get(id) };
  }

  /** A record this connector just wrote. (The next refresh still reads every id above the last scan's.) */
  remember(id: number, sourceId: string, key: string): void {
    this.bySource.set(sourceId, id);
    this.sourceById.set(id, sourceId);
    if (key) this.byKey.set(key, id);
  }

  /** A record read from the store some other way (a lookup by email or SKU). */
  learn(record: Row): void {
    const id = Number(record.id);
    const source = sourceIdOf(record);
    const key = naturalKeyOf(this.kind, record);
    if (source !== undefined) {
      this.bySource.set(source, id);
      this.sourceById.set(id, source);
    }
    if (key) this.byKey.set(key, id);
  }

  /** A record deleted in the store since it was indexed. */
  forget(id: number): void {
    const source = this.sourceById.get(id);
    if (source !== undefined) this.bySource.delete(source);
    this.sourceById.delete(id);
    for (const [key, held] of this.byKey) if (held === id) this.byKey.delete(key);
  }

  private async ensure(): Promise<void> {
    if (this.loaded && !this.stale) return;
    // Newest first, down to the highest id the last scan saw: ids only grow, so nothing newer is missed.
    const since = this.highestId;
    let newest = since;
    for (let page = 1; ; page++) {
      const response = await this.client.request<Row[]>('get', this.kind, {
        params: {
          page: String(page),
          per_page: String(WOO_FACTS.maxPageSize),
          orderby: 'id',
          order: 'desc',
          _fields: 'id,email,sku,meta_data',
          ...(this.kind === 'customers' ? { role: 'all' } : {}),
        },
      });
      let reachedSeen = false;
      for (const record of response.data) {
        const id = Number(record.id);
        if (id <= since) {
          reachedSeen = true;
          break;
        }
        newest = Math.max(newest, id);
        this.learn(record);
      }
      if (reachedSeen || page >= Number(response.headers['x-wp-totalpages'] ?? 1)) break;
    }
    this.highestId = newest;
    this.loaded = true;
    this.stale = false;
  }
}
