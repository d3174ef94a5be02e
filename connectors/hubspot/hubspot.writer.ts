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

const SOURCE_ID = HUBSPOT_FACTS.sourceIdProperty;

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
 * HubSpot writes: batch upsert (≤100) on the unique `switchyard_source_id` property, created on first use;
 * a contact whose email another contact already holds is adopted when that contact carries no source id;
 * then the record's associations are made to equal what the mapping asks for (stale ones archived), and a
 * deal's lines are upserted as line items and linked to it. A batch HubSpot refuses as a whole is retried
 * one record at a time, so one bad record is quarantined with its own reason and the rest load.
 */
export class HubSpotWriter {
  private readonly sourceIdReady = new Map<HubSpotObjectType, Promise<boolean>>();

  constructor(private readonly client: HubSpotClient) {}

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
    const payloads = items.map((item) => item.payload as Payload);
    const written = await this.upsertObjects(
      type,
      items.map((item, i) => ({ key: item.sourceId, properties: propertyValues(payloads[i]) })),
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
    return items.map((item, i) => {
      const result = written.get(item.sourceId)!;
      if ('error' in result) return { sourceId: item.sourceId, action: 'failed', error: result.error };
      const error = errors.get(item.sourceId) ?? linkErrors.get(result.id);
      if (error)
        return {
          sourceId: item.sourceId,
          action: 'failed',
          error: `written as HubSpot ${type} ${result.id}, but ${error}`,
        };
      const skus = payloads[i].variantSkus ?? [];
      return {
        sourceId: item.sourceId,
        action: result.isNew ? 'created' : 'updated',
        destinationId: result.id,
        parts: parts.get(result.id) ?? [],
        ...(type === 'products'
          ? { refs: { variants: Object.fromEntries(skus.map((sku) => [sku, result.id])) } }
          : {}),
      };
    });
  }

  /** Ids of records that carry these source ids (records HubSpot already holds for them). */
  async findBySourceId(type: HubSpotObjectType, keys: string[]): Promise<Map<string, string>> {
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
    if (found && !found.hasUniqueValue) {
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
        hasUniqueValue: true,
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

  // ---- deal lines --------------------------------------------------------------------------------------

  /**
   * Upserts each deal's lines as line items, adds them to `links`, and archives lines the deal lost.
   * Returns why lines failed, by deal source id, and the line items each existing deal kept (so linking
   * need not read them again).
   */
  private async writeLines(
    deals: { key: string; id: string; lines?: (NativeRecord & { key: string })[] }[],
    links: Map<string, Links>,
    existed: Set<string>,
    parts: Map<string, WrittenPart[]>,
  ): Promise<{ errors: Map<string, string>; kept: Map<string, string[]> }> {
    await this.hasSourceIdProperty('line_items', true);
    const errors = new Map<string, string>();
    const lineKey = (deal: string, line: NativeRecord & { key: string }) => `${deal}/${scalarText(line.key)}`;
    const written = await this.upsertObjects(
      'line_items',
      deals.flatMap((deal) =>
        (deal.lines ?? []).map((line) => {
          const properties = propertyValues(line);
          delete properties.key;
          return { key: lineKey(deal.key, line), properties };
        }),
      ),
    );
    const before = await this.associations(
      'deals',
      'line_items',
      deals.map((deal) => deal.id).filter((id) => existed.has(id)),
    );
    const kept = new Map<string, string[]>();
    const gone: string[] = [];
    for (const deal of deals) {
      const ids: string[] = [];
      for (const line of deal.lines ?? []) {
        const result = written.get(lineKey(deal.key, line))!;
        if ('error' in result)
          errors.set(deal.key, `its line ${scalarText(line.key)} failed: ${result.error}`);
        else {
          ids.push(result.id);
          addWrittenPart(parts, deal.id, {
            part: 'line',
            object: 'line_items',
            destinationId: result.id,
            action: result.isNew ? 'created' : 'updated',
          });
        }
      }
      links.set(deal.id, { ...links.get(deal.id), line_items: ids });
      const had = before.get(deal.id) ?? [];
      kept.set(
        deal.id,
        had.filter((id) => ids.includes(id)),
      );
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
        addWrittenPart(parts, pair.from, {
          part: 'association',
          object: `${from}→${to}`,
          destinationId: `${pair.from}→${pair.to}`,
          action,
          link: { from: pair.from, to: pair.to, type: String(typeId) },
        });
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
