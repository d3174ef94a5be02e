import type { FieldType } from './salesforce.schema';

/**
 * What a Salesforce org refuses, as data the sandbox enforces, each fact with its source. Salesforce publishes
 * no machine-readable spec of its REST API's refusals; its Object Reference and release notes state them.
 */
export interface Fact<T> {
  value: T;
  source: string;
}

/**
 * The API versions an org serves; any other `vNN.N` in a path is a 404 NOT_FOUND, a version from the future as
 * much as a retired one.
 */
export const SERVED_VERSIONS: Fact<{ lowest: number; highest: number }> = {
  value: { lowest: 31, highest: 66 },
  source:
    "Salesforce release notes, Summer '25: legacy API versions 21.0 through 30.0 retired; documentation release 260 is v66.0 (shared/reference/crm-erp-apis.md §1.1)",
};

const OBJECT_REFERENCE =
  'Salesforce Object Reference (developer.salesforce.com/docs/atlas.en-us.object_reference), the Fields table of';

/** Most characters a text field takes, by object and field; a longer value is refused with STRING_TOO_LONG. */
export const FIELD_LENGTHS: Fact<Record<string, Record<string, number>>> = {
  value: {
    User: { Username: 80, Email: 128, FirstName: 40, LastName: 80 },
    Account: {
      Name: 255,
      Website: 255,
      Phone: 40,
      Industry: 40,
      Description: 32_000,
      AccountNumber: 40,
      BillingStreet: 255,
      BillingCity: 40,
      BillingState: 80,
      BillingPostalCode: 20,
      BillingCountry: 80,
      ShippingStreet: 255,
      ShippingCity: 40,
      ShippingState: 80,
      ShippingPostalCode: 20,
      ShippingCountry: 80,
    },
    Contact: { FirstName: 40, LastName: 80, Email: 80, Phone: 40, Title: 128 },
    Opportunity: { Name: 120, Description: 32_000 },
    Product2: { Name: 255, ProductCode: 255, Description: 4_000 },
    OpportunityLineItem: { Description: 255 },
  },
  source: `${OBJECT_REFERENCE} User, Account, Contact, Opportunity, Product2 and OpportunityLineItem`,
};

/** A text field's length where the reference states none of its own, by field type. */
export const TYPE_LENGTHS: Fact<Partial<Record<FieldType, number>>> = {
  value: { string: 255, textarea: 255, email: 80, phone: 40, url: 255, picklist: 255 },
  source:
    'Salesforce Help, "Custom Field Types": Text and Text Area up to 255, Email 80, Phone 40, URL 255, picklist values 255',
};
