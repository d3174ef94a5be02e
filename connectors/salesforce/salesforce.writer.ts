import type { SaveResult, UpsertResult } from 'jsforce';
import {
  errorMessage,
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type WrittenPart,
  addWrittenPart,
  scalarText,
  SwitchyardError,
} from '../../src/connectors';
import type { SalesforceClient } from './salesforce.client';
import { SALESFORCE_FACTS } from './salesforce.facts';
import { WRITTEN_OBJECTS } from './salesforce.objects';
import type { SalesforceQueries } from './salesforce.queries';

const EXT = SALESFORCE_FACTS.sourceIdField;
const CHUNK = SALESFORCE_FACTS.collectionLimit;

/** A deal line as the outbound mapping gives it: `key` names the line within its deal. */
interface LineInput extends NativeRecord {
  key: string;
  PricebookEntryId?: string | null;
  Product2Id?: string | null;
}
/** Payload keys that instruct the connector rather than name fields of the record itself. */
interface Payload extends NativeRecord {
  /** Product2: every SKU of the canonical product, so deal lines of any variant find its price book entry. */
  variantSkus?: string[];
}
const INSTRUCTIONS = new Set(['variantSkus']);
/** A product's standard price (the mapping's `children.priceBookEntry`), written as a PricebookEntry. */
const standardPriceOf = (item: LoadItem) =>
  (item.children?.priceBookEntry?.[0] as { UnitPrice?: unknown } | undefined)?.UnitPrice;
/** An opportunity's lines (the mapping's `children.lineItems`), written as OpportunityLineItem records. */
const linesOf = (item: LoadItem) => item.children?.lineItems as LineInput[] | undefined;
/** An opportunity's contacts (the mapping's `links.contacts`), written as OpportunityContactRole records. */
const contactsOf = (item: LoadItem) => item.links?.contacts;
type Written = { id: string; created: boolean } | { error: string };

/**
 * Salesforce writes: sObject Collections upsert (≤200 a call) on the External ID field that carries each
 * record's source id, so a re-run or a resumed crash updates instead of duplicating. A call refused as a
 * whole is retried one record at a time so each bad record gets its own reason. A product gets its price
 * in the standard price book; an opportunity's contact roles and lines are made to equal the mapping's
 * (lines upserted on `<deal source id>/<line key>`, stale roles and lines deleted).
 */
export class SalesforceWriter {
  private ready?: Promise<void>;

  constructor(
    private readonly client: SalesforceClient,
    private readonly queries: SalesforceQueries,
  ) {}

  async upsert(object: string, items: LoadItem[]): Promise<LoadOutcome[]> {
    await this.requireExternalIds();
    const failures = new Map<string, string>();
    const payloads = new Map(items.map((item) => [item.sourceId, item.payload as Payload]));
    if (object === 'Opportunity')
      for (const [key, error] of await this.priceLines(items)) failures.set(key, error);
    const writable = items.filter((item) => !failures.has(item.sourceId));
    const written = await this.upsertRecords(
      object,
      writable.map((item) => ({ ...fieldsOf(payloads.get(item.sourceId)!), [EXT]: item.sourceId })),
    );
    const ok = new Map<string, string>();
    for (const item of writable) {
      const result = written.get(item.sourceId)!;
      if ('error' in result) failures.set(item.sourceId, result.error);
      else ok.set(item.sourceId, result.id);
    }
    const variants = new Map<string, Record<string, string>>();
    /** What each record's write did besides the record itself, by its Salesforce id: for the journal. */
    const parts = new Map<string, WrittenPart[]>();
    if (object === 'Product2') {
      const entries = await this.priceProducts(ok, items, parts);
      for (const [key, entry] of entries) {
        if ('error' in entry) failures.set(key, `written as Product2 ${ok.get(key)}, but ${entry.error}`);
        else
          variants.set(
            key,
            Object.fromEntries((payloads.get(key)!.variantSkus ?? []).map((sku) => [sku, entry.id])),
          );
      }
    }
    if (object === 'Opportunity')
      for (const [key, error] of await this.writeDealParts(ok, items, parts))
        failures.set(key, `written as Opportunity ${ok.get(key)}, but ${error}`);
    return items.map((item) => {
      const error = failures.get(item.sourceId);
      if (error) return { sourceId: item.sourceId, action: 'failed', error };
      const result = written.get(item.sourceId) as { id: string; created: boolean };
      return {
        sourceId: item.sourceId,
        action: result.created ? 'created' : 'updated',
        destinationId: result.id,
        parts: parts.get(result.id) ?? [],
        ...(variants.has(item.sourceId) ? { refs: { variants: variants.get(item.sourceId) } } : {}),
      };
    });
  }

  /** Ids of records that carry these source ids. */
  async findBySourceId(object: string, keys: string[]): Promise<Map<string, string>> {
    if (!(await this.queries.describe(object)).get(EXT.toLowerCase())?.externalId) return new Map();
    const found = await this.queries.where(object, EXT, keys, ['Id', EXT]);
    return new Map(found.map((record) => [scalarText(record[EXT]), scalarText(record.Id)]));
  }

  async remove(object: string, ids: string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const results = await this.client.call(`delete ${object}`, (conn) =>
        conn.sobject(object).destroy(chunk, { allOrNone: false }),
      );
      const failed = results.filter((r) => !r.success && !isAlreadyGone(r));
      if (failed.length > 0)
        throw new SwitchyardError(
          'PLATFORM_REJECTED',
          `Salesforce kept ${object} ${failed.map(describeFailure).join('; ')}`,
        );
    }
  }

  /** Every object written needs the External ID field; refused before the first write when one lacks it. */
  private requireExternalIds(): Promise<void> {
    this.ready ??= (async () => {
      const missing: string[] = [];
      for (const object of WRITTEN_OBJECTS) {
        const field = (await this.queries.describe(object)).get(EXT.toLowerCase());
        if (!field?.externalId) missing.push(object);
      }
      if (missing.length > 0)
        throw new SwitchyardError(
          'PLAN_INVALID',
          `the Salesforce org has no External ID field ${EXT} on ${missing.join(', ')}: in Setup → Object Manager, add a Text(255) field named Switchyard_Source_Id to each, ticked Unique and External ID, then re-run (nothing was written)`,
        );
    })();
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }

  /** Upserts on the External ID, 200 a call; a call refused as a whole is retried one record at a time. */
  private async upsertRecords(object: string, records: NativeRecord[]): Promise<Map<string, Written>> {
    const written = new Map<string, Written>();
    for (let start = 0; start < records.length; start += CHUNK) {
      const chunk = records.slice(start, start + CHUNK);
      const call = (records: NativeRecord[]) =>
        this.client.call(`upsert ${object}`, (conn) =>
          conn.sobject(object).upsert(records, EXT, { allOrNone: false }),
        );
      const refused = (error: unknown): UpsertResult[] => {
        if (!(error instanceof SwitchyardError) || error.code !== 'PLATFORM_REJECTED') throw error;
        return [{ success: false, errors: [{ message: errorMessage(error) }] } as unknown as UpsertResult];
      };
      let results = await call(chunk).catch(refused);
      if (results.length !== chunk.length) {
        // Refused as a whole (one malformed value fails the call): one at a time, each with its reason.
        results = [];
        for (const record of chunk) results.push(...(await call([record]).catch(refused)));
      }
      results.forEach((result, i) => {
        const key = scalarText(chunk[i][EXT]);
        written.set(
          key,
          result.success
            ? { id: result.id, created: result.created }
            : { error: `Salesforce refused ${object}: ${describeFailure(result)}` },
        );
      });
    }
    return written;
  }

  /** The standard price book, which every price this connector writes or looks up lives in. */
  private async requiredPricebookId(): Promise<string> {
    const id = await this.queries.standardPricebookId();
    if (!id)
      throw new SwitchyardError(
        'PLATFORM_REJECTED',
        'the Salesforce org has no standard price book; activate it in Setup → Price Books',
      );
    return id;
  }

  /** Standard price book entries of products, by product id; refused when the org has no standard book. */
  private async standardEntries(productIds: string[]): Promise<Map<string, NativeRecord>> {
    if (productIds.length === 0) return new Map();
    await this.requiredPricebookId();
    return this.queries.standardEntries(productIds);
  }

  /** Gives each written product its standard price: a new entry, or the existing one's price updated. */
  private async priceProducts(ok: Map<string, string>, items: LoadItem[], parts: Map<string, WrittenPart[]>) {
    const byKey = new Map(items.map((item) => [item.sourceId, item]));
    const result = new Map<string, { id: string } | { error: string }>();
    const existing = await this.standardEntries([...ok.values()]);
    const create: { key: string; record: NativeRecord; before?: NativeRecord }[] = [];
    const update: { key: string; record: NativeRecord; before?: NativeRecord }[] = [];
    const pricebook = await this.requiredPricebookId();
    for (const [key, productId] of ok) {
      const price = standardPriceOf(byKey.get(key)!);
      const UnitPrice = price === null || price === undefined || price === '' ? 0 : Number(price);
      const entry = existing.get(productId);
      if (!entry)
        create.push({
          key,
          record: { Pricebook2Id: pricebook, Product2Id: productId, UnitPrice, IsActive: true },
        });
      else {
        result.set(key, { id: scalarText(entry.Id) });
        if (Number(entry.UnitPrice) !== UnitPrice)
          update.push({ key, record: { Id: entry.Id, UnitPrice }, before: { UnitPrice: entry.UnitPrice } });
      }
    }
    for (const [mode, list] of [
      ['create', create],
      ['update', update],
    ] as const)
      for (const [i, saved] of (
        await this.save(
          'PricebookEntry',
          mode,
          list.map((l) => l.record),
        )
      ).entries()) {
        const key = list[i].key;
        if (!saved.success)
          result.set(key, { error: `its price book entry was refused: ${describeFailure(saved)}` });
        else {
          if (mode === 'create') result.set(key, { id: saved.id });
          addWrittenPart(parts, ok.get(key)!, {
            part: 'priceBookEntry',
            object: 'PricebookEntry',
            destinationId: mode === 'create' ? saved.id : scalarText(list[i].record.Id),
            action: mode === 'create' ? 'created' : 'updated',
            ...(list[i].before ? { before: list[i].before } : {}),
          });
        }
      }
    return result;
  }

  /**
   * Every line of a deal needs a price book entry: given by the mapping (a product variant's entry) or
   * found as the standard entry of the line's product. A deal with a line that has neither is refused.
   */
  private async priceLines(items: LoadItem[]): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    const lines = items.flatMap((item) => linesOf(item) ?? []);
    const wanted = lines
      .filter((line) => !line.PricebookEntryId && line.Product2Id)
      .map((line) => scalarText(line.Product2Id));
    const entries = await this.standardEntries(wanted);
    for (const item of items)
      for (const line of linesOf(item) ?? []) {
        if (line.PricebookEntryId) continue;
        const entry = line.Product2Id ? entries.get(line.Product2Id) : undefined;
        if (entry) line.PricebookEntryId = scalarText(entry.Id);
        else if (!failures.has(item.sourceId))
          failures.set(
            item.sourceId,
            `line ${line.key} (${scalarText(line.Description, 'no name')}) has no product in Salesforce's standard price book; an opportunity line needs one: migrate the product first, or remove the line`,
          );
      }
    return failures;
  }

  /** Contact roles and lines of written opportunities, made equal to the mapping's links and children. */
  private async writeDealParts(
    ok: Map<string, string>,
    items: LoadItem[],
    parts: Map<string, WrittenPart[]>,
  ): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    const byKey = new Map(items.map((item) => [item.sourceId, item]));
    const keyOf = new Map([...ok].map(([key, id]) => [id, key]));
    const fail = (opportunityId: unknown, error: string) => {
      const key = keyOf.get(scalarText(opportunityId));
      if (key && !failures.has(key)) failures.set(key, error);
    };
    const ids = [...ok.values()];
    const [roles, lines] = await Promise.all([
      this.queries.where('OpportunityContactRole', 'OpportunityId', ids, [
        'Id',
        'OpportunityId',
        'ContactId',
      ]),
      this.queries.where('OpportunityLineItem', 'OpportunityId', ids, [
        'Id',
        'OpportunityId',
        'PricebookEntryId',
        EXT,
      ]),
    ]);

    const roleCreates: NativeRecord[] = [];
    const roleDeletes: string[] = [];
    const lineCreates: NativeRecord[] = [];
    const lineUpdates: NativeRecord[] = [];
    const lineDeletes: string[] = [];
    for (const [key, opportunityId] of ok) {
      const item = byKey.get(key)!;
      const [contactIds, lineItems] = [contactsOf(item), linesOf(item)];
      if (contactIds) {
        const have = roles.filter((role) => role.OpportunityId === opportunityId);
        const want = new Set(contactIds);
        for (const role of have)
          if (!want.delete(scalarText(role.ContactId))) roleDeletes.push(scalarText(role.Id));
        for (const ContactId of want) roleCreates.push({ OpportunityId: opportunityId, ContactId });
      }
      if (lineItems) {
        const have = new Map(
          lines
            .filter((line) => line.OpportunityId === opportunityId)
            .map((line) => [scalarText(line[EXT]), line]),
        );
        for (const line of lineItems) {
          const lineKey = `${key}/${line.key}`;
          const { PricebookEntryId } = line;
          const values = lineFields(line);
          const current = have.get(lineKey);
          have.delete(lineKey);
          // A line's price book entry cannot change: a line that changed product is replaced.
          if (current && current.PricebookEntryId === PricebookEntryId)
            lineUpdates.push({ Id: current.Id, ...values });
          else {
            if (current) lineDeletes.push(scalarText(current.Id));
            lineCreates.push({ ...values, OpportunityId: opportunityId, PricebookEntryId, [EXT]: lineKey });
          }
        }
        for (const stale of have.values()) lineDeletes.push(scalarText(stale.Id));
      }
    }
    // Deletes first: a replaced line frees its source key before its successor takes it.
    const removeStale = async (
      object: string,
      part: string,
      ids: string[],
      from: NativeRecord[],
      what: string,
    ) => {
      const opportunityOf = (id: string) => from.find((record) => record.Id === id)?.OpportunityId;
      try {
        await this.remove(object, ids);
      } catch (error) {
        for (const id of ids)
          fail(opportunityOf(id), `its stale ${what} were not deleted: ${errorMessage(error)}`);
        return;
      }
      for (const id of ids)
        addWrittenPart(parts, scalarText(opportunityOf(id)), {
          part,
          object,
          destinationId: id,
          action: 'deleted',
          before: from.find((record) => record.Id === id),
        });
    };
    await removeStale('OpportunityLineItem', 'line', lineDeletes, lines, 'lines');
    await removeStale('OpportunityContactRole', 'contactRole', roleDeletes, roles, 'contact roles');
    const writes: [string, 'create' | 'update', NativeRecord[], string, string][] = [
      ['OpportunityContactRole', 'create', roleCreates, 'a contact role', 'contactRole'],
      ['OpportunityLineItem', 'create', lineCreates, 'a line', 'line'],
      ['OpportunityLineItem', 'update', lineUpdates, 'a line', 'line'],
    ];
    for (const [object, mode, records, what, part] of writes)
      for (const [i, saved] of (await this.save(object, mode, records)).entries()) {
        const opportunityId =
          records[i].OpportunityId ?? lines.find((line) => line.Id === records[i].Id)?.OpportunityId;
        if (!saved.success) fail(opportunityId, `${what} was refused: ${describeFailure(saved)}`);
        else
          addWrittenPart(parts, scalarText(opportunityId), {
            part,
            object,
            destinationId: mode === 'create' ? saved.id : scalarText(records[i].Id),
            action: mode === 'create' ? 'created' : 'updated',
          });
      }
    return failures;
  }

  /** Collection create or update, 200 a call, one result per record in order. */
  private async save(
    object: string,
    mode: 'create' | 'update',
    records: NativeRecord[],
  ): Promise<SaveResult[]> {
    const results: SaveResult[] = [];
    for (let start = 0; start < records.length; start += CHUNK) {
      const chunk = records.slice(start, start + CHUNK);
      results.push(
        ...(await this.client.call(
          `${mode} ${object}`,
          (conn) =>
            mode === 'create'
              ? conn.sobject(object).create(chunk, { allOrNone: false })
              : conn.sobject(object).update(chunk as (NativeRecord & { Id: string })[], { allOrNone: false }),
          { write: mode === 'create' },
        )),
      );
    }
    return results;
  }
}

/** A line's own fields: its key and product are the connector's, not OpportunityLineItem fields. */
function lineFields(line: LineInput): NativeRecord {
  return Object.fromEntries(
    Object.entries(line).filter(([name]) => !['key', 'Product2Id', 'PricebookEntryId'].includes(name)),
  );
}

/** The record's own fields: instructions stripped, undefined left out (null clears a field). */
export function fieldsOf(payload: Payload): NativeRecord {
  return Object.fromEntries(
    Object.entries(payload).filter(([name, value]) => !INSTRUCTIONS.has(name) && value !== undefined),
  );
}

function describeFailure(result: { success: boolean; errors?: unknown[] }): string {
  return (result.errors ?? [])
    .map((e) => {
      const error = e as { statusCode?: string; errorCode?: string; message?: string; fields?: string[] };
      const fields = error.fields?.length ? ` (${error.fields.join(', ')})` : '';
      return `${error.statusCode ?? error.errorCode ?? 'ERROR'}: ${error.message ?? ''}${fields}`;
    })
    .join('; ');
}

function isAlreadyGone(result: SaveResult): boolean {
  return (
    !result.success &&
    result.errors.some((e) => (e as { statusCode?: string }).statusCode === 'ENTITY_IS_DELETED')
  );
}
