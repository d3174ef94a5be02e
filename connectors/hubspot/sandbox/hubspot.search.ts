import { HUBSPOT_FACTS, type HubSpotObjectType } from '../hubspot.facts';
import { HubSpotError, type HubSpotObject, type HubSpotStore } from './hubspot.store';

interface Filter {
  propertyName: string;
  operator: string;
  value?: string | number;
  values?: (string | number)[];
  highValue?: string | number;
}

/**
 * `POST /crm/v3/objects/{type}/search`: filter groups OR'ed, filters within a group AND'ed; at most 5 groups,
 * 10 filters a group and 25 in all; ≤200 results a page; paging stops at 10,000 results (400 past it).
 * Dates compare as epoch milliseconds, as HubSpot's do.
 */
export function searchObjects(store: HubSpotStore, type: HubSpotObjectType, body: Record<string, any>) {
  const groups = (body?.filterGroups ?? []) as { filters: Filter[] }[];
  const total = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
  if (groups.length > 5 || groups.some((g) => (g.filters?.length ?? 0) > 10) || total > 25)
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      'Too many filters: at most 5 filterGroups, 10 filters in a group and 25 in all',
    );
  const limit = Number(body?.limit ?? 10);
  if (!Number.isInteger(limit) || limit < 1 || limit > HUBSPOT_FACTS.searchMaxPageSize)
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      `limit must be between 1 and ${HUBSPOT_FACTS.searchMaxPageSize}`,
    );
  const after = Number(body?.after ?? 0);
  if (after + limit > HUBSPOT_FACTS.searchMaxResults)
    throw new HubSpotError(
      400,
      'VALIDATION_ERROR',
      `Search can page through at most ${HUBSPOT_FACTS.searchMaxResults} results; narrow the filters`,
    );
  let matches = store
    .list(type, false)
    .filter(
      (o) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matchesFilter(o, f))),
    );
  const sorts = (body?.sorts ?? []) as ({ propertyName: string; direction?: string } | string)[];
  const sort = sorts[0];
  const byProperty = typeof sort === 'string' ? sort : sort?.propertyName;
  const descending = typeof sort === 'object' && sort?.direction === 'DESCENDING';
  matches = matches.sort((a, b) => {
    const order = byProperty ? compare(value(a, byProperty), value(b, byProperty)) : 0;
    return (descending ? -order : order) || Number(a.id) - Number(b.id);
  });
  const page = matches.slice(after, after + limit);
  const next = after + limit < matches.length ? String(after + limit) : undefined;
  return {
    total: matches.length,
    results: page.map((o) => store.shape(type, o, body?.properties as string[] | undefined)),
    ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
  };
}

function value(object: HubSpotObject, property: string): string | null {
  if (property === 'hs_object_id') return object.id;
  return object.properties[property] ?? null;
}

/** Numbers numerically; a date against a number as epoch milliseconds; text case-insensitively. */
function compare(a: string | number | null | undefined, b: string | number | null | undefined): number {
  if (a === null || a === undefined || a === '') return b === null || b === undefined || b === '' ? 0 : -1;
  if (b === null || b === undefined || b === '') return 1;
  const [x, y] = [numeric(a), numeric(b)];
  if (x !== null && y !== null) return x - y;
  return String(a).toLowerCase().localeCompare(String(b).toLowerCase());
}

function numeric(v: string | number): number | null {
  if (typeof v === 'number') return v;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}/.test(v) && !isNaN(Date.parse(v))) return Date.parse(v);
  return null;
}

function matchesFilter(object: HubSpotObject, filter: Filter): boolean {
  const actual = value(object, filter.propertyName);
  const has = actual !== null && actual !== '';
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return has && compare(actual, filter.value) === 0;
    case 'NEQ':
      return !has || compare(actual, filter.value) !== 0;
    case 'LT':
      return has && compare(actual, filter.value) < 0;
    case 'LTE':
      return has && compare(actual, filter.value) <= 0;
    case 'GT':
      return has && compare(actual, filter.value) > 0;
    case 'GTE':
      return has && compare(actual, filter.value) >= 0;
    case 'BETWEEN':
      return has && compare(actual, filter.value) >= 0 && compare(actual, filter.highValue) <= 0;
    case 'IN':
      return has && (filter.values ?? []).some((v) => compare(actual, v) === 0);
    case 'NOT_IN':
      return !has || !(filter.values ?? []).some((v) => compare(actual, v) === 0);
    case 'CONTAINS_TOKEN':
      return (
        has && String(actual).toLowerCase().includes(String(filter.value).toLowerCase().replace(/\*/g, ''))
      );
    case 'NOT_CONTAINS_TOKEN':
      return (
        !has || !String(actual).toLowerCase().includes(String(filter.value).toLowerCase().replace(/\*/g, ''))
      );
    default:
      throw new HubSpotError(400, 'VALIDATION_ERROR', `Unknown filter operator ${filter.operator}`);
  }
}
