import { parse } from 'csv-parse/sync';
import { type NativeRecord, SwitchyardError } from '../../src/connectors';
import type { SalesforceClient } from './salesforce.client';
import type { SalesforceQueries } from './salesforce.queries';

interface JobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  errorMessage?: string;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Bulk API 2.0 query job, its results read a page at a time by `Sforce-Locator`. Job calls go through
 * jsforce; result pages are fetched directly because jsforce's bulk2 reader holds every page in memory
 * before handing back the first record, and a large object is exactly what this path is for.
 */
export async function* bulkQueryPages(
  client: SalesforceClient,
  queries: SalesforceQueries,
  object: string,
  soql: string,
  pageSize: number,
  pollMs: number,
): AsyncIterable<NativeRecord[]> {
  const job = await client.call(`open bulk query on ${object}`, (conn) =>
    conn.request<JobInfo>({
      method: 'POST',
      url: '/jobs/query',
      body: JSON.stringify({ operation: 'query', query: soql }),
      headers: { 'content-type': 'application/json' },
    }),
  );
  for (let state = job.state; state !== 'JobComplete';) {
    await sleep(pollMs);
    const info = await client.call('bulk query status', (conn) =>
      conn.request<JobInfo>(`/jobs/query/${job.id}`),
    );
    if (info.state === 'Failed' || info.state === 'Aborted')
      throw new SwitchyardError(
        'PLATFORM_REJECTED',
        `Salesforce bulk query ${job.id} on ${object} ${info.state.toLowerCase()}: ${info.errorMessage ?? 'no reason given'}`,
      );
    state = info.state;
  }
  const types = new Map([...(await queries.describe(object)).values()].map((f) => [f.name, f.type]));
  const base = `${client.conn.instanceUrl}/services/data/v${client.conn.version}/jobs/query/${job.id}/results`;
  let locator: string | null = null;
  do {
    const url = `${base}?maxRecords=${pageSize}${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`;
    const { text, next } = await client.call('bulk query results', async (conn) => {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${conn.accessToken}`, accept: 'text/csv' },
      });
      client.noteUsage(response.headers.get('sforce-limit-info'));
      if (!response.ok)
        throw Object.assign(new Error(await response.text()), { errorCode: `ERROR_HTTP_${response.status}` });
      return { text: await response.text(), next: response.headers.get('sforce-locator') };
    });
    locator = next && next !== 'null' ? next : null;
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    yield rows.map((row) => typed(row, types));
  } while (locator);
  await client
    .call('delete bulk query', (conn) => conn.request({ method: 'DELETE', url: `/jobs/query/${job.id}` }))
    .catch(() => undefined);
}

/** CSV cells as the REST API would type them: empty is null, numbers and booleans by the field's type. */
function typed(row: Record<string, string>, types: Map<string, string>): NativeRecord {
  const record: NativeRecord = {};
  for (const [name, cell] of Object.entries(row)) {
    const type = types.get(name);
    record[name] =
      cell === ''
        ? null
        : type === 'boolean'
          ? cell === 'true'
          : type === 'double' || type === 'currency' || type === 'percent' || type === 'int'
            ? Number(cell)
            : cell;
  }
  return record;
}
