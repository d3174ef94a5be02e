import {
  type Connector,
  type EntityDescriptor,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type PlatformModule,
  newClientStats,
  previewOutcomes,
  type ReadOptions,
  type ReadPage,
  registerPlatform,
} from '../../src/connectors';

/**
 * A platform that lives in memory, registered by the tests that use it the way every platform registers
 * itself: no sandbox, no currency. Accounts are keyed by URL; each holds native records per entity, and
 * every record written carries its source identity (`sourceId`), matched before any create.
 */
export const memoryAccounts = new Map<string, Map<string, NativeRecord[]>>();

export function memoryAccount(url: string): Map<string, NativeRecord[]> {
  if (!memoryAccounts.has(url)) memoryAccounts.set(url, new Map());
  return memoryAccounts.get(url)!;
}

const DESCRIPTOR: EntityDescriptor = {
  idField: 'id',
  naturalKey: 'sourceId',
  modifiedAtField: 'updatedAt',
  batchLimit: 10,
  maxPageSize: 3,
};

class MemoryConnector implements Connector {
  readonly platform = 'memory';
  readonly stats = newClientStats();
  readonly entities: Record<string, EntityDescriptor>;
  private nextId = 1000;

  constructor(
    private readonly account: Map<string, NativeRecord[]>,
    entities: string[],
  ) {
    this.entities = Object.fromEntries(entities.map((entity) => [entity, DESCRIPTOR]));
  }

  check() {
    return Promise.resolve({ name: 'memory' });
  }

  private table(entity: string): NativeRecord[] {
    if (!this.account.has(entity)) this.account.set(entity, []);
    return this.account.get(entity)!;
  }

  async *read(entity: string, options: ReadOptions): AsyncIterable<ReadPage> {
    const rows = this.table(entity);
    for (let start = Number(options.cursor ?? 0); start < rows.length; start += options.pageSize) {
      const end = start + options.pageSize;
      await Promise.resolve();
      yield {
        records: structuredClone(rows.slice(start, end)),
        nextCursor: end < rows.length ? String(end) : null,
      };
    }
  }

  upsert(entity: string, items: LoadItem[]): Promise<LoadOutcome[]> {
    const rows = this.table(entity);
    return Promise.resolve(
      items.map((item): LoadOutcome => {
        const existing = rows.find((row) => row.id === item.destinationId || row.sourceId === item.sourceId);
        if (existing) {
          Object.assign(existing, item.payload);
          return { sourceId: item.sourceId, action: 'updated', destinationId: String(existing.id) };
        }
        const id = String(this.nextId++);
        rows.push({ ...item.payload, id, sourceId: item.sourceId });
        return { sourceId: item.sourceId, action: 'created', destinationId: id };
      }),
    );
  }

  preview(entity: string, items: LoadItem[]): Promise<LoadOutcome[]> {
    const found = new Map(
      this.table(entity)
        .filter((row) => typeof row.sourceId === 'string')
        .map((row) => [row.sourceId as string, String(row.id)]),
    );
    return Promise.resolve(previewOutcomes(items, found));
  }

  fetch(entity: string, ids: string[]): Promise<NativeRecord[]> {
    return Promise.resolve(this.table(entity).filter((row) => ids.includes(String(row.id))));
  }

  count(entity: string): Promise<number | null> {
    return Promise.resolve(this.table(entity).length);
  }

  delete(entity: string, ids: string[]): Promise<void> {
    this.account.set(
      entity,
      this.table(entity).filter((row) => !ids.includes(String(row.id))),
    );
    return Promise.resolve();
  }

  idOf(_entity: string, record: NativeRecord): string {
    return String(record.id);
  }
}

let registered: PlatformModule | undefined;

/** Registers the memory platform for `entities`, once, so several test files may call it. */
export function registerMemoryPlatform(entities: string[]): void {
  registered ??= {
    platform: 'memory',
    defaultCredentials: {},
    createConnector: (config) => new MemoryConnector(memoryAccount(config.url), entities),
  };
  registerPlatform(registered);
}
