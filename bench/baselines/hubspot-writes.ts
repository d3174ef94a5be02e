import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate';
import { HUBSPOT_FACTS, type HubSpotObjectType } from '../../connectors/hubspot/hubspot.facts';
import { PROPERTY_GROUP } from '../../connectors/hubspot/hubspot.objects';

const SOURCE_ID = HUBSPOT_FACTS.sourceIdProperty;

/**
 * The writes a hand-made script into HubSpot makes with the official SDK: batch upserts of 100 on a unique
 * source-id property (so a re-run does not double) where HubSpot allows one, batch creates of 100 for products
 * and line items (which may have no unique property), and v4 association batches of 100.
 */
export class HubSpotWrites {
  readonly sdk: Client;

  constructor(url: string) {
    // The SDK's own retry answers a 429 (TEN_SECONDLY_ROLLING) with a wait.
    this.sdk = new Client({
      accessToken: HUBSPOT_FACTS.sandboxAccessToken,
      basePath: url,
      numberOfApiCallRetries: 6,
    });
  }

  async prepare(types: HubSpotObjectType[]): Promise<void> {
    for (const type of types)
      await this.sdk.crm.properties.coreApi.create(type, {
        name: SOURCE_ID,
        label: 'Source id',
        type: PropertyCreateTypeEnum.String,
        fieldType: PropertyCreateFieldTypeEnum.Text,
        groupName: PROPERTY_GROUP[type],
        hasUniqueValue: HUBSPOT_FACTS.uniqueSourceId.includes(type),
      });
  }

  /** Upserts up to 100 records keyed by source id; answers the HubSpot id of each. */
  async upsert(type: HubSpotObjectType, records: { sourceId: string; properties: Record<string, string> }[]) {
    if (!HUBSPOT_FACTS.uniqueSourceId.includes(type)) {
      const made = await this.sdk.crm.objects.batchApi.create(type, {
        inputs: records.map((r) => ({
          properties: { ...r.properties, [SOURCE_ID]: r.sourceId },
          associations: [],
        })),
      });
      return new Map(made.results.map((result) => [String(result.properties[SOURCE_ID]), result.id]));
    }
    const response = await this.sdk.crm.objects.batchApi.upsert(type, {
      inputs: records.map((r) => ({
        idProperty: SOURCE_ID,
        id: r.sourceId,
        properties: { ...r.properties, [SOURCE_ID]: r.sourceId },
      })),
    });
    return new Map(response.results.map((result) => [String(result.properties[SOURCE_ID]), result.id]));
  }

  async associate(from: string, to: string, typeId: number, pairs: [string, string][]): Promise<void> {
    const types = [
      {
        associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
        associationTypeId: typeId,
      },
    ];
    for (let start = 0; start < pairs.length; start += HUBSPOT_FACTS.batchLimit)
      await this.sdk.crm.associations.v4.batchApi.create(from, to, {
        inputs: pairs
          .slice(start, start + HUBSPOT_FACTS.batchLimit)
          .map(([a, b]) => ({ _from: { id: a }, to: { id: b }, types })),
      });
  }
}
