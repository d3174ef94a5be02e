import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec';
import type { SimplePublicObject } from '@hubspot/api-client/lib/codegen/crm/objects/models/SimplePublicObject';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate';
import {
  type LoadItem,
  type LoadOutcome,
  type NativeRecord,
  type WrittenPart,
  addWrittenPart,
  scalarText,
  SwitchyardError,
  type BatchTarget,
  type ItemAnswer,
  writeBatch,
} from '../../src/connectors';
import type { HubSpotClient } from './hubspot.client';
import { HUBSPOT_FACTS, type HubSpotObjectType } from './hubspot.facts';
import { LINKED, PROPERTY_GROUP, propertyValues } from './hubspot.objects';
import { SourceIdIndex } from './hubspot.source-index';

const SOURCE_ID = HUBSPOT_FACTS.sourceIdProperty;
/** Whether the object's source id is a unique property, so writes upsert on it (else see SourceIdIndex). */
const uniqueSourceId = (type: HubSpotObjectType) => HUBSPOT_FACTS.uniqueSourceId.includes(type);

interface UpsertInput {
  /** The record's source id: the value of the unique source-id property. */
  key: string;
  properties: Record<string, string>;
}
type Written = { id: string; isNew: boolean } | { error: string };
/** HubSpot's word on one refused record (a 207 entry or a refused call's body). */
interface Refusal {
  category?: string;
  message: string;
}
type Links = Partial<Record<HubSpotObjectType, string[]>>;

/** What the outbound mapping may put beside a payload's properties. */
interface Payload extends NativeRecord {
  /** Every SKU of the canonical product, so order and deal lines of any variant find the product. */
  variantSkus?: string[];
}
/** A deal's lines (the mapping's `children.lineItems`): `key` identifies the line within its deal. */
type Line = NativeRecord & { key: string };
/** The mapping's `links`: destination ids of the records this one is linked to, by object type. */
const linksOf = (item: LoadItem): Links => ({ ...(item.links as Links | undefined) });
const linesOf = (item: LoadItem): Line[] | undefined => item.children?.lineItems as Line[] | undefined;

/**
 * HubSpot writes, every one keyed on the `switchyard_source_id` property (created on first use):
 * - contacts, companies and deals: batch upsert (≤100) on it as a unique property; a contact whose email
 *   another contact already holds is adopted when that contact carries no source id;
 * - products, which HubSpot lets have no unique property: matched through SourceIdIndex, then batch created
 *   or updated by id;
 * - a deal's lines: line items created together with their link to the deal, so a line is never without
 *   it, and matched again through the deal's links: a lost reply or a crash cannot leave one to double.
 * Then each record's associations are made to equal what the mapping asks for (stale ones archived). A
 * batch HubSpot refuses as a whole is retried one record at a time, so one bad record is quarantined with
 * its own reason and the rest load.
 */
export class HubSpotWriter {
  private readonly sourceIdReady = new Map<HubSpotObjectType, Promise<boolean>>();
  private readonly products: SourceIdIndex;

  constructor(private readonly client: HubSpotClient) {
    this.products = new SourceIdIndex(client, 'products');
  }

  /** Whether `type` has the unique source-id property; with `create`, makes it when missing. */
  hasSourceIdProperty(type: HubSpotObjectType, create: boolean): Promise<boolean> {
    const known = this.sourceIdReady.get(type);
    if (known) return known;
    const ready = this.ensureProperty(type, create);
    if (create) this.sourceIdReady.set(type, ready);
    ready.catch(() => this.sourceIdReady.delete(type));
    return ready;
  }

  async upsert(type: HubSpotObjectType, items: LoadItem[]): Promise<LoadOutcome[]> {
    await this.hasSourceIdProperty(type, true);
    if (type === 'products') return this.writeProducts(items);
    const written = await this.upsertObjects(
      type,
      items.map((item) => ({ key: item.sourceId, properties: propertyValues(item.payload) })),
    );
    const errors = new Map<string, string>();
    const links = new Map<string, Links>();
    for (const item of items) {
      const result = written.get(item.sourceId)!;
      if ('error' in result) errors.set(item.sourceId, result.error);
      else links.set(result.id, linksOf(item));
    }
    const ok = items.filter((item) => !errors.has(item.sourceId));
    const idOf = (item: LoadItem) => (written.get(item.sourceId) as { id: string }).id;
    const updated = new Set(
      ok.filter((item) => !(written.get(item.sourceId) as { isNew: boolean }).isNew).map(idOf),
    );
    const known: Partial<Record<HubSpotObjectType, Map<string, string[]>>> = {};
    /** What each record's write did besides the record itself, by its HubSpot id: for the journal. */
    const parts = new Map<string, WrittenPart[]>();
    if (type === 'deals') {
      // A mapping that says nothing about lines leaves the deal's line items as they are.
      const lines = await this.writeLines(
        ok
          .filter((item) => linesOf(item) !== undefined)
          .map((item) => ({ key: item.sourceId, id: idOf(item), lines: linesOf(item) })),
        links,
        updated,
        parts,
      );
      for (const [key, error] of lines.errors) errors.set(key, error);
      known.line_items = lines.kept;
    }
    const linkErrors = await this.link(type, links, updated, known, parts);
    return items.map((item) => {
      const result = written.get(item.sourceId)!;
      if ('error' in result) return { sourceId: item.sourceId, action: 'failed', error: result.error };
      const error = errors.get(item.sourceId) ?? linkErrors.get(result.id);
      if (error)
        return {
          sourceId: item.sourceId,
          action: 'failed',
          error: `written as HubSpot ${type} ${result.id}, but ${error}`,
        };
      return {
        sourceId: item.sourceId,
        action: result.isNew ? 'created' : 'updated',
        destinationId: result.id,
        parts: parts.get(result.id) ?? [],
      };
    });
  }

  /** Ids of records that carry these source ids (records HubSpot already holds for them). */
  async findBySourceId(type: HubSpotObjectType, keys: string[]): Promise<Map<string, string>> {
    // Read once a run: a dry run writes nothing that could make the list it read stale.
    if (type === 'products') return this.products.lookup(keys, false);
    return this.readBy(type, SOURCE_ID, keys);
  }

  /** Ids of records by a unique property's value (`email` on contacts). */
  async readBy(type: HubSpotObjectType, property: string, values: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const object of await this.batchRead(type, values, [property], property)) {
      const value = object.properties[property];
      if (value) found.set(property === 'email' ? value.toLowerCase() : value, object.id);
    }
    return found;
  }

  /** Records by id (or by a unique property's value), 100 a call; ones HubSpot does not hold are absent. */
  async batchRead(
    type: HubSpotObjectType,
    ids: string[],
    properties: string[],
    idProperty?: string,
  ): Promise<SimplePublicObject[]> {
    const found: SimplePublicObject[] = [];
    for (let start = 0; start < ids.length; start += HUBSPOT_FACTS.batchLimit) {
      const inputs = ids.slice(start, start + HUBSPOT_FACTS.batchLimit).map((id) => ({ id }));
      const response = await this.client.call(
        `batch read ${type}${idProperty ? ` by ${idProperty}` : ''}`,
        () =>
          this.client.sdk.crm.objects.batchApi.readWithHttpInfo(type, {
            ...(idProperty ? { idProperty } : {}),
            inputs,
            properties,
            propertiesWithHistory: [],
          }),
      );
      found.push(...response.results);
    }
    return found;
  }

  /** Linked ids per record, for each id in `ids`, through the v4 batch read. */
  async associations(
    from: HubSpotObjectType,
    to: HubSpotObjectType,
    ids: string[],
  ): Promise<Map<string, string[]>> {
    const linked = new Map<string, string[]>();
    for (let start = 0; start < ids.length; start += HUBSPOT_FACTS.batchLimit) {
      const inputs = ids.slice(start, start + HUBSPOT_FACTS.batchLimit).map((id) => ({ id }));
      const response = await this.client.call(`read ${from}→${to} associations`, () =>
        this.client.sdk.crm.associations.v4.batchApi.getPageWithHttpInfo(from, to, { inputs }),
      );
      for (const row of response.results)
        linked.set(String(row._from.id), [...new Set(row.to.map((target) => String(target.toObjectId)))]);
    }
    return linked;
  }

  async archive(type: HubSpotObjectType, ids: string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += HUBSPOT_FACTS.batchLimit) {
      const inputs = ids.slice(start, start + HUBSPOT_FACTS.batchLimit).map((id) => ({ id }));
      await this.client.call(`archive ${type}`, () =>
        this.client.sdk.crm.objects.batchApi.archiveWithHttpInfo(type, { inputs }),
      );
    }
  }

  // ---- records -----------------------------------------------------------------------------------------

  private async ensureProperty(type: HubSpotObjectType, create: boolean): Promise<boolean> {
    const all = await this.client.call(`read ${type} properties`, () =>
      this.client.sdk.crm.properties.coreApi.getAllWithHttpInfo(type),
    );
    const found = all.results.find((property) => property.name === SOURCE_ID);
    if (found && !found.hasUniqueValue && uniqueSourceId(type)) {
      throw new SwitchyardError(
        'PLAN_INVALID',
        `HubSpot's ${type} property ${SOURCE_ID} exists but does not require unique values, so records cannot be matched on it; delete it (Settings → Properties) and run again: Switchyard creates it unique`,
      );
    }
    if (found || !create) return Boolean(found);
    const made = this.client.call(`create ${type} property ${SOURCE_ID}`, () =>
      this.client.sdk.crm.properties.coreApi.createWithHttpInfo(type, {
        name: SOURCE_ID,
        label: 'Switchyard source id',
        description: 'The id this record has on the platform it was migrated from (written by Switchyard).',
        type: PropertyCreateTypeEnum.String,
        fieldType: PropertyCreateFieldTypeEnum.Text,
        groupName: PROPERTY_GROUP[type],
        hasUniqueValue: uniqueSourceId(type),
      }),
    );
    try {
      await made;
    } catch (error) {
      // A create whose reply was lost and that was sent again finds its own property: check it as found.
      const exists = (error as SwitchyardError).details as { category?: string } | undefined;
      if (exists?.category !== 'OBJECT_ALREADY_EXISTS') throw error;
      return this.ensureProperty(type, false);
    }
    return true;
  }

  /**
   * Upserts on the source id through the kit's batch writer: records a batch could not place (a 207, or a
   * batch refused as a whole) are sent again alone for their own reason; a contact refused for an email
   * another contact holds is adopted when that contact carries no source id.
   */
  private async upsertObjects(type: HubSpotObjectType, inputs: UpsertInput[]): Promise<Map<string, Written>> {
    const byKey = new Map(inputs.map((input) => [input.key, input]));
    const target: BatchTarget = {
      cap: HUBSPOT_FACTS.batchLimit,
      upsert: async (items) => {
        const response = await this.client.call(`upsert ${type}`, () =>
          this.client.sdk.crm.objects.batchApi.upsertWithHttpInfo(type, {
            inputs: items.map((item) => ({
              idProperty: SOURCE_ID,
              id: item.sourceId,
              properties: { ...byKey.get(item.sourceId)!.properties, [SOURCE_ID]: item.sourceId },
            })),
          }),
        );
        const written = new Map(
          response.results.map((result) => [scalarText(result.properties[SOURCE_ID]), result]),
        );
        const refusals: Refusal[] = 'errors' in response ? (response.errors ?? []) : [];
        return items.map((item): ItemAnswer => {
          const result = written.get(item.sourceId);
          if (result) return { id: result.id, action: result._new ? 'created' : 'updated' };
          // A 207 does not say which input an error belongs to: only a record sent alone gets its own reason.
          if (items.length > 1) return { error: '', refusal: 'alone' };
          return { error: refusals[0]?.message ?? 'no reason given', details: refusals[0] };
        });
      },
      afterRefusal: (item, answer) =>
        this.afterRefusal(type, byKey.get(item.sourceId)!, {
          ...(answer.details as Refusal | undefined),
          message: answer.error,
        }),
    };
    const outcomes = await writeBatch(
      target,
      inputs.map((input) => ({ sourceId: input.key, payload: input.properties })),
    );
    const written = new Map<string, Written>();
    for (const outcome of outcomes) {
      if (outcome.action === 'unknown') throw new SwitchyardError('OUTCOME_UNKNOWN', outcome.error);
      written.set(
        outcome.sourceId,
        outcome.action === 'failed'
          ? { error: outcome.error }
          : { id: outcome.destinationId, isNew: outcome.action === 'created' },
      );
    }
    return written;
  }

  /** A record HubSpot refused on its own: adopt the contact holding its email, or say why. */
  private async afterRefusal(
    type: HubSpotObjectType,
    input: UpsertInput,
    refusal: Refusal,
  ): Promise<ItemAnswer> {
    const said = refusal.message || 'no reason given';
    const holder = /Existing ID: (\d+)/.exec(said)?.[1];
    if (type !== 'contacts' || refusal.category !== 'CONFLICT' || !holder)
      return { error: `HubSpot refused it: ${said}` };
    const existing = await this.client.call(`read contact ${holder}`, () =>
      this.client.sdk.crm.objects.basicApi.getByIdWithHttpInfo('contacts', holder, [SOURCE_ID, 'email']),
    );
    const claimed = existing.properties[SOURCE_ID];
    if (claimed && claimed !== input.key) {
      return {
        error: `its email ${existing.properties.email ?? ''} already belongs to HubSpot contact ${holder}, migrated from source record ${claimed}; the source holds this email twice: merge the two there, or add a cleaning merge rule on email`,
      };
    }
    await this.client.call(`adopt contact ${holder}`, () =>
      this.client.sdk.crm.objects.basicApi.updateWithHttpInfo('contacts', holder, {
        properties: { ...input.properties, [SOURCE_ID]: input.key },
      }),
    );
    return { id: holder, action: 'updated' };
  }

  // ---- products and lines: written by id -------------------------------------------------------------

  /**
   * Products: matched by source id through the index (read afresh where an earlier write may have landed
   * unseen), then created or updated by id, 100 a call. A lost answer comes back `unknown` for its items;
   * the engine sends them again, and the index, read again, finds what the lost call made.
   */
  private async writeProducts(items: LoadItem[]): Promise<LoadOutcome[]> {
    const outcomes = await writeBatch(
      {
        ...this.byId('products', (item) => propertyValues(item.payload)),
        match: async (unmatched) => {
          const fresh = unmatched.some((item) => item.maybeWrittenSince !== undefined);
          const found = await this.products.lookup(
            unmatched.map((item) => item.sourceId),
            fresh,
          );
          return unmatched.map((item) => {
            const id = found.get(item.sourceId);
            return id ? { id } : undefined;
          });
        },
        stale: () => this.products.forget(),
      },
      items,
    );
    return outcomes.map((outcome, index) => {
      if (outcome.action !== 'created' && outcome.action !== 'updated') return outcome;
      this.products.remember(outcome.sourceId, outcome.destinationId);
      // Every SKU of the product names it, so order and deal lines of any variant find it.
      const skus = (items[index].payload as Payload).variantSkus ?? [];
      return {
        ...outcome,
        refs: { variants: Object.fromEntries(skus.map((sku) => [sku, outcome.destinationId])) },
      };
    });
  }

  /**
   * Batch create and batch update by HubSpot id, each record carrying its source id; `dealOf` gives the
   * deal a new line item is created linked to, in the same call.
   */
  private byId(
    type: HubSpotObjectType,
    properties: (item: LoadItem) => Record<string, string>,
    dealOf?: (item: LoadItem) => string,
  ): BatchTarget {
    const withSourceId = (item: LoadItem) => ({ ...properties(item), [SOURCE_ID]: item.sourceId });
    const types = [
      {
        associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
        associationTypeId: HUBSPOT_FACTS.associationTypes[`${type}→deals`],
      },
    ];
    return {
      cap: HUBSPOT_FACTS.batchLimit,
      create: async (items) => {
        const response = await this.client.call(
          `create ${type}`,
          () =>
            this.client.sdk.crm.objects.batchApi.createWithHttpInfo(type, {
              inputs: items.map((item) => ({
                properties: withSourceId(item),
                associations: dealOf ? [{ to: { id: dealOf(item) }, types }] : [],
              })),
            }),
          { write: true },
        );
        const made = new Map(
          response.results.map((result) => [scalarText(result.properties[SOURCE_ID]), result.id]),
        );
        return items.map((item): ItemAnswer => {
          const id = made.get(item.sourceId);
          if (id) return { id, action: 'created' };
          return items.length > 1 ? { error: '', refusal: 'alone' } : { error: 'HubSpot gave no id for it' };
        });
      },
      update: async (entries) => {
        const response = await this.client.call(`update ${type}`, () =>
          this.client.sdk.crm.objects.batchApi.updateWithHttpInfo(type, {
            inputs: entries.map(({ item, id }) => ({ id, properties: withSourceId(item) })),
          }),
        );
        const updated = new Set(response.results.map((result) => result.id));
        const refusals: Refusal[] = 'errors' in response ? (response.errors ?? []) : [];
        return entries.map(({ id }): ItemAnswer => {
          if (updated.has(id)) return { id, action: 'updated' };
          if (entries.length > 1) return { error: '', refusal: 'alone' };
          // Deleted in HubSpot since it was matched: the kit creates it again.
          if (refusals[0]?.category === 'OBJECT_NOT_FOUND')
            return { error: refusals[0].message, refusal: 'gone' };
          return { error: `HubSpot refused it: ${refusals[0]?.message ?? 'no reason given'}` };
        });
      },
    };
  }

  /**
   * Writes each deal's lines as line items and archives lines the deal lost. A line is matched by the key
   * written into it (`<deal source id>/<line key>`) among the line items its deal is linked to, and a new one
   * is created already linked to its deal: whatever failed, every line item the run made is found again
   * through its deal. Returns why lines failed, by deal source id, and the line items each deal is linked to
   * now (so linking need not make or read them again).
   */
  private async writeLines(
    deals: { key: string; id: string; lines?: (NativeRecord & { key: string })[] }[],
    links: Map<string, Links>,
    existed: Set<string>,
    parts: Map<string, WrittenPart[]>,
  ): Promise<{ errors: Map<string, string>; kept: Map<string, string[]> }> {
    await this.hasSourceIdProperty('line_items', true);
    const lineKey = (deal: string, line: NativeRecord & { key: string }) => `${deal}/${scalarText(line.key)}`;
    const before = await this.associations(
      'deals',
      'line_items',
      deals.map((deal) => deal.id).filter((id) => existed.has(id)),
    );
    const keyOf = new Map(
      (await this.batchRead('line_items', [...new Set([...before.values()].flat())], [SOURCE_ID])).map(
        (line) => [line.id, scalarText(line.properties[SOURCE_ID])],
      ),
    );
    const lineItems: LoadItem[] = [];
    const held = new Map<string, string>();
    const dealOf = new Map<string, string>();
    for (const deal of deals) {
      // The oldest line item holding a key is the line; any other holding it is archived below.
      for (const id of (before.get(deal.id) ?? []).slice().sort((a, b) => Number(a) - Number(b))) {
        const key = keyOf.get(id);
        if (key && !held.has(key)) held.set(key, id);
      }
      for (const line of deal.lines ?? []) {
        const key = lineKey(deal.key, line);
        const properties = propertyValues(line);
        delete properties.key;
        lineItems.push({ sourceId: key, payload: properties, destinationId: held.get(key) });
        dealOf.set(key, deal.id);
      }
    }
    const outcomes = await writeBatch(
      {
        ...this.byId(
          'line_items',
          (item) => item.payload as Record<string, string>,
          (item) => dealOf.get(item.sourceId)!,
        ),
        // Held lines carry their id already; a line deleted since it was read is simply made again.
        match: (unmatched) => Promise.resolve(unmatched.map(() => undefined)),
      },
      lineItems,
    );
    const written = new Map(outcomes.map((outcome) => [outcome.sourceId, outcome]));
    const errors = new Map<string, string>();
    const kept = new Map<string, string[]>();
    const gone: string[] = [];
    for (const deal of deals) {
      const ids: string[] = [];
      for (const line of deal.lines ?? []) {
        const outcome = written.get(lineKey(deal.key, line))!;
        if (outcome.action === 'unknown') throw new SwitchyardError('OUTCOME_UNKNOWN', outcome.error);
        if (outcome.action === 'failed')
          errors.set(deal.key, `its line ${scalarText(line.key)} failed: ${outcome.error}`);
        else if (outcome.action === 'created' || outcome.action === 'updated') {
          ids.push(outcome.destinationId);
          addWrittenPart(parts, deal.id, {
            part: 'line',
            object: 'line_items',
            destinationId: outcome.destinationId,
            action: outcome.action,
          });
          if (outcome.action === 'created')
            linkedPart(parts, 'deals', 'line_items', deal.id, outcome.destinationId);
        }
      }
      links.set(deal.id, { ...links.get(deal.id), line_items: ids });
      const had = before.get(deal.id) ?? [];
      // Every line written is linked: a held one was already, a new one was made so.
      kept.set(deal.id, ids);
      const dropped = had.filter((id) => !ids.includes(id));
      gone.push(...dropped);
      for (const id of dropped)
        addWrittenPart(parts, deal.id, {
          part: 'line',
          object: 'line_items',
          destinationId: id,
          action: 'deleted',
        });
    }
    if (gone.length > 0) await this.archive('line_items', gone);
    return { errors, kept };
  }

  // ---- associations ------------------------------------------------------------------------------------

  /**
   * Makes each record's associations equal `links` for every object type `links` names: missing ones are
   * created (v4 batch create), and for records that existed before, ones no longer wanted are archived
   * (`known`: associations already read, by object type). Returns, by record id, why an association could
   * not be made.
   */
  private async link(
    from: HubSpotObjectType,
    links: Map<string, Links>,
    existed: Set<string>,
    known: Partial<Record<HubSpotObjectType, Map<string, string[]>>>,
    parts: Map<string, WrittenPart[]>,
  ): Promise<Map<string, string>> {
    const errors = new Map<string, string>();
    for (const to of LINKED[from]) {
      const typeId = HUBSPOT_FACTS.associationTypes[`${from}→${to}`];
      const linkPart = (pair: { from: string; to: string }, action: 'linked' | 'unlinked') =>
        linkedPart(parts, from, to, pair.from, pair.to, action);
      const before =
        known[to] ??
        (await this.associations(
          from,
          to,
          [...links].filter(([id, wanted]) => existed.has(id) && wanted[to] !== undefined).map(([id]) => id),
        ));
      const create: { from: string; to: string }[] = [];
      const stale: { from: string; to: string[] }[] = [];
      for (const [id, wanted] of links) {
        // Only the links the mapping speaks of are managed: a shop's customer leaves a contact's companies alone.
        if (wanted[to] === undefined) continue;
        const want = wanted[to].filter(Boolean).map(String);
        const had = before.get(id) ?? [];
        for (const target of want) if (!had.includes(target)) create.push({ from: id, to: target });
        const drop = had.filter((target) => !want.includes(target));
        if (drop.length > 0) stale.push({ from: id, to: drop });
      }
      for (let start = 0; start < stale.length; start += HUBSPOT_FACTS.batchLimit) {
        const inputs = stale.slice(start, start + HUBSPOT_FACTS.batchLimit).map((row) => ({
          _from: { id: row.from },
          to: row.to.map((id) => ({ id })),
        }));
        await this.client.call(`archive ${from}→${to} associations`, () =>
          this.client.sdk.crm.associations.v4.batchApi.archiveWithHttpInfo(from, to, { inputs }),
        );
      }
      for (const row of stale)
        for (const target of row.to) linkPart({ from: row.from, to: target }, 'unlinked');
      const failed = await this.createAssociations(from, to, typeId, create);
      for (const [id, error] of failed) errors.set(id, error);
      for (const pair of create) if (!failed.has(pair.from)) linkPart(pair, 'linked');
    }
    return errors;
  }

  /** Creates associations, 100 a call; pairs a call could not make are made alone, each with its own reason. */
  private async createAssociations(
    from: HubSpotObjectType,
    to: HubSpotObjectType,
    typeId: number,
    pairs: { from: string; to: string }[],
  ): Promise<Map<string, string>> {
    const types = [
      {
        associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
        associationTypeId: typeId,
      },
    ];
    const outcomes = await writeBatch(
      {
        cap: HUBSPOT_FACTS.batchLimit,
        upsert: async (items) => {
          const response = await this.client.call(`associate ${from}→${to}`, () =>
            this.client.sdk.crm.associations.v4.batchApi.createWithHttpInfo(from, to, {
              inputs: items.map(({ payload }) => ({
                _from: { id: scalarText(payload.from) },
                to: { id: scalarText(payload.to) },
                types,
              })),
            }),
          );
          const made = new Set(response.results.map((row) => `${row.fromObjectId}→${row.toObjectId}`));
          const said = 'errors' in response ? (response.errors ?? []).map((e) => e.message).join('; ') : '';
          return items.map((item): ItemAnswer => {
            if (made.has(item.sourceId)) return { id: item.sourceId };
            return items.length > 1 ? { error: '', refusal: 'alone' } : { error: said };
          });
        },
      },
      pairs.map((pair) => ({ sourceId: `${pair.from}→${pair.to}`, payload: pair })),
    );
    const errors = new Map<string, string>();
    outcomes.forEach((outcome, index) => {
      if (outcome.action === 'failed')
        errors.set(pairs[index].from, `its association to ${to} ${pairs[index].to} failed: ${outcome.error}`);
    });
    return errors;
  }
}

/** The journal's word for an association a write made (or archived), kept with the record it was made from. */
function linkedPart(
  parts: Map<string, WrittenPart[]>,
  from: HubSpotObjectType,
  to: HubSpotObjectType,
  fromId: string,
  toId: string,
  action: 'linked' | 'unlinked' = 'linked',
): void {
  addWrittenPart(parts, fromId, {
    part: 'association',
    object: `${from}→${to}`,
    destinationId: `${fromId}→${toId}`,
    action,
    link: { from: fromId, to: toId, type: String(HUBSPOT_FACTS.associationTypes[`${from}→${to}`]) },
  });
}
