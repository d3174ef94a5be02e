/** Salesforce REST API facts the connector and sandbox share (shared/reference/crm-erp-apis.md §1). */
export const SALESFORCE_FACTS = {
  sandboxAccessToken: 'sf_sandbox',
  /** The API version the connector speaks; every feature used here exists since v46. */
  apiVersion: '62.0',
  /** A query batch holds up to 2,000 records; `Sforce-Query-Options: batchSize=` asks for 200–2,000. */
  maxQueryBatch: 2000,
  minQueryBatch: 200,
  /** sObject Collections take at most 200 records a call. */
  collectionLimit: 200,
  /** Developer Edition's 24-hour allocation of API requests (Enterprise orgs have 100,000 and more). */
  dailyApiRequests: 15_000,
  /** Share of the 24-hour allocation a run leaves for the org's other integrations. */
  allocationReserveShare: 0.05,
  /** Full reads of objects holding more records than this go through a Bulk API 2.0 query job. */
  bulkQueryThreshold: 50_000,
  /** The External ID field (text, unique) that carries a migrated record's source id. */
  sourceIdField: 'Switchyard_Source_Id__c',
  /** Key prefixes: the first three characters of every record id say its object. */
  keyPrefixes: {
    Organization: '00D',
    Account: '001',
    Contact: '003',
    User: '005',
    Opportunity: '006',
    OpportunityLineItem: '00k',
    OpportunityContactRole: '00K',
    Pricebook2: '01s',
    PricebookEntry: '01u',
    Product2: '01t',
  } as Record<string, string>,
} as const;

/** Salesforce's default sales process stages, in order (a restricted picklist on Opportunity). */
export const DEFAULT_OPPORTUNITY_STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];

/** 18-character id from a 15-character one: a case-safe suffix, one letter per five characters. */
export function caseSafeId(id: string): string {
  if (id.length !== 15) return id;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    suffix += alphabet[flags];
  }
  return id + suffix;
}

/** The id a sandbox gives the n-th record of an object (seeds use it to link records). */
export function salesforceId(object: string, n: number): string {
  const prefix = SALESFORCE_FACTS.keyPrefixes[object];
  if (!prefix) throw new Error(`no key prefix for ${object}`);
  return caseSafeId(`${prefix}Sy${String(n).padStart(10, '0')}`);
}
