import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type ReadPage, SwitchyardError } from '../../src/connectors';
import type { ShopifyGraphqlClient } from './shopify.client';
import { BULK_RUN, BULK_STATUS, CURRENT_BULK } from './shopify.queries';

type Row = Record<string, any>;

export interface BulkOperation {
  id: string;
  status: string;
  errorCode?: string | null;
  objectCount?: string;
  url?: string | null;
}

/** A page's cursor while a bulk read is under way: a resume starts a new export (the ledger skips what it has). */
export const BULK_CURSOR = 'bulk';

const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 5000;

/**
 * Runs one export to its end: starts it (or joins the same export already running) and polls until it completes.
 * `since`: the shop's latest export, of this very query, made at or after this moment (by the same run in
 * another worker), is taken as it is, finished or not.
 */
export async function bulkExport(
  client: ShopifyGraphqlClient,
  query: string,
  since?: string,
  waiting = new Waiting(true),
): Promise<BulkOperation> {
  if (since) {
    const latest = await current(client);
    const made = latest ? Date.parse(latest.createdAt) : NaN;
    // A day at most: Shopify keeps a result's URL for a week, and a day-old export is no run's fresh read.
    const fresh = made >= Date.parse(since) && Date.now() - made < 86_400_000;
    if (latest?.query === query && fresh && ![...ENDED_BADLY, 'CANCELING'].includes(latest.status))
      return finished(client, latest.id, false, waiting);
  }
  return finished(client, await start(client, query, waiting), false, waiting);
}

/**
 * Whether a read waits on an export yet. The polls of one queued ahead that no read has taken do not keep the
 * process alive: a CLI run that stops early (a failure, a pause) exits without waiting for exports it will not
 * read. Taken, the poll under way holds the process again.
 */
class Waiting {
  private timer: NodeJS.Timeout | undefined;

  constructor(private wanted: boolean) {}

  want(): void {
    this.wanted = true;
    this.timer?.ref();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer = setTimeout(resolve, ms);
      if (!this.wanted) this.timer.unref();
    });
  }
}

/**
 * A shop's exports, one after another as Shopify runs them (one query operation at a time). Exports queued
 * ahead of their reads (`queue`) run while the hub is busy with the entity before; a read takes its own over
 * (`take`), or starts one when none was queued or the queued one failed.
 */
export class BulkExports {
  private last: Promise<unknown> = Promise.resolve();
  private readonly ahead = new Map<string, { operation: Promise<BulkOperation>; waiting: Waiting }>();

  constructor(private readonly client: ShopifyGraphqlClient) {}

  queue(query: string, since?: string): void {
    if (this.ahead.has(query)) return;
    const waiting = new Waiting(false);
    const operation = this.next(query, since, waiting);
    // Its read sees a failure and starts again; until then it is no unhandled rejection.
    operation.catch(() => undefined);
    this.ahead.set(query, { operation, waiting });
  }

  /** `since`: see bulkExport; an export this connector queued is its own whenever it was made. */
  async take(query: string, since?: string): Promise<BulkOperation> {
    const queued = this.ahead.get(query);
    this.ahead.delete(query);
    if (queued) {
      queued.waiting.want();
      try {
        return await queued.operation;
      } catch {
        // Whatever ended it (an expired export, a blip) may be over: one more, as a read without one would.
        return this.next(query);
      }
    }
    return this.next(query, since);
  }

  private next(query: string, since?: string, waiting?: Waiting): Promise<BulkOperation> {
    const operation = this.last.then(() => bulkExport(this.client, query, since, waiting));
    this.last = operation.catch(() => undefined);
    return operation;
  }
}

/**
 * Streams a finished export's JSONL, a page at a time. A parent's nested objects follow it on lines of their
 * own, carrying `__parentId`; `assemble` turns a parent and its children into the record the paged read would
 * have answered. A child whose parent is not the one being assembled is a broken file, refused.
 */
export async function* bulkPages(
  operation: BulkOperation,
  pageSize: number,
  assemble: (parent: Row, children: Row[]) => Row,
): AsyncIterable<ReadPage> {
  if (!operation.url) {
    yield { records: [], nextCursor: null };
    return;
  }
  let page: Row[] = [];
  let parent: Row | undefined;
  let children: Row[] = [];
  let number = 0;
  const take = (line: string) => {
    number++;
    if (line.trim() === '') return;
    const object = JSON.parse(line) as Row;
    if (object.__parentId === undefined) {
      if (parent) page.push(assemble(parent, children));
      parent = object;
      children = [];
      return;
    }
    if (!parent || object.__parentId !== parent.id)
      throw new SwitchyardError(
        'PLATFORM_REJECTED',
        `the bulk export ${operation.id} has, on line ${number}, an object of ${String(object.__parentId)} away from its parent: this connector reads children right after their parent`,
      );
    delete object.__parentId;
    children.push(object);
  };
  // A chunk's lines are parsed in one go (readline's await per line cost more than the parsing): a page is
  // handed on once the parent after its last record has begun, so that record has all its children.
  let rest = '';
  for await (const text of downloadText(operation.url, operation.id)) {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      take(line);
      if (page.length >= pageSize) {
        yield { records: page, nextCursor: BULK_CURSOR };
        page = [];
      }
    }
  }
  take(rest);
  if (parent) page.push(assemble(parent, children));
  yield { records: page, nextCursor: null };
}

/** How often a download that broke part way is taken up again where it broke. */
const RESUMES = 3;

/**
 * An export's file as text, as it arrives. A download that breaks part way (a connection reset or closed by the
 * far end, on a file of gigabytes) is taken up at the byte it reached with a Range request, as Shopify's storage
 * serves them, instead of failing the read and starting the export again.
 */
async function* downloadText(url: string, id: string): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let received = 0;
  for (let resumes = 0; ; resumes++) {
    const response = await get(url, received > 0 ? { range: `bytes=${received}-` } : {}).catch(
      (error: Error) => {
        throw new SwitchyardError(
          'PLATFORM_UNREACHABLE',
          `cannot download the bulk export (${error.message})`,
        );
      },
    );
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299 || (received > 0 && status !== 206)) {
      response.resume();
      throw new SwitchyardError(
        'PLATFORM_TEMPORARY',
        `the bulk export ${id} answered HTTP ${status} on download${received > 0 ? ` when taken up at byte ${received}` : ''}`,
      );
    }
    const end = received + Number(response.headers['content-length'] ?? NaN);
    try {
      for await (const bytes of response as AsyncIterable<Buffer>) {
        received += bytes.length;
        yield decoder.decode(bytes, { stream: true });
      }
      yield decoder.decode();
      return;
    } catch (error) {
      // Every byte came: the connection was closed after the file, while this read was still busy with it.
      if (received === end) {
        yield decoder.decode();
        return;
      }
      if (resumes >= RESUMES)
        throw new SwitchyardError(
          'PLATFORM_TEMPORARY',
          `the bulk export ${id} download broke ${resumes + 1} times, the last after byte ${received} (${(error as Error).message})`,
        );
    } finally {
      response.destroy();
    }
  }
}

/**
 * A GET through Node's own HTTP client (its agents carry the service's egress guard), not fetch: fetch's parser
 * (undici 6 and 7, the ones Node 20 can run) throws an uncatchable assertion, ending the process, when an answer
 * sent with `Connection: close` ends while its reader is behind, as a slow reader of a large export is
 * (nodejs/undici#5360).
 */
function get(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    (url.startsWith('https:') ? https : http).get(url, { headers }, resolve).on('error', reject);
  });
}

const UNDER_WAY = ['CREATED', 'RUNNING'];
/** How an export ends without a file (CANCELING is on its way to CANCELED). */
const ENDED_BADLY = ['FAILED', 'CANCELED', 'EXPIRED'];

/**
 * Starts the export; an export of the same query still under way (a lost reply, a second worker) is joined. A
 * finished one is not taken for ours here: it may be an earlier run's, older than the shop's data.
 */
async function start(
  client: ShopifyGraphqlClient,
  query: string,
  waiting: Waiting,
  attempt = 1,
): Promise<string> {
  let payload: {
    bulkOperationRunQuery: {
      bulkOperation: BulkOperation | null;
      userErrors: { message: string; code?: string }[];
    };
  };
  try {
    payload = await client.request(BULK_RUN, { query });
  } catch (error) {
    // The reply was lost: Shopify may have started it. Ours if the one under way runs this very query.
    if (!(error instanceof SwitchyardError && error.retryable) || attempt >= 3) throw error;
    const running = await current(client);
    if (running?.query === query && UNDER_WAY.includes(running.status)) return running.id;
    if (running && UNDER_WAY.includes(running.status)) await finished(client, running.id, true, waiting);
    return start(client, query, waiting, attempt + 1);
  }
  const { bulkOperation, userErrors } = payload.bulkOperationRunQuery;
  if (bulkOperation) return bulkOperation.id;
  if (userErrors.some((e) => e.code === 'OPERATION_IN_PROGRESS')) {
    const running = await current(client);
    if (running?.query === query && UNDER_WAY.includes(running.status)) return running.id;
    // Another export holds the shop's one slot: wait for it, then ask again.
    if (running && UNDER_WAY.includes(running.status)) await finished(client, running.id, true, waiting);
    return start(client, query, waiting, attempt);
  }
  throw new SwitchyardError(
    'PLATFORM_REJECTED',
    `Shopify refused the bulk export: ${userErrors.map((e) => e.message).join('; ')}`,
  );
}

async function current(client: ShopifyGraphqlClient) {
  const data = await client.request<{
    currentBulkOperation: (BulkOperation & { query?: string; createdAt: string }) | null;
  }>(CURRENT_BULK);
  return data.currentBulkOperation;
}

/** Polls until the export is over; `anyEnd` accepts a failed one (someone else's, that we only wait for). */
async function finished(
  client: ShopifyGraphqlClient,
  id: string,
  anyEnd: boolean,
  waiting: Waiting,
): Promise<BulkOperation> {
  let wait = POLL_FIRST_MS;
  for (;;) {
    const { node } = await client.request<{ node: BulkOperation | null }>(BULK_STATUS, { id });
    if (!node)
      throw new SwitchyardError('PLATFORM_REJECTED', `Shopify no longer knows the bulk export ${id}`);
    if (node.status === 'COMPLETED' || (anyEnd && ![...UNDER_WAY, 'CANCELING'].includes(node.status)))
      return node;
    if (ENDED_BADLY.includes(node.status))
      throw new SwitchyardError(
        node.errorCode === 'ACCESS_DENIED' ? 'PLATFORM_AUTH' : 'PLATFORM_TEMPORARY',
        `Shopify's bulk export ${id} ended ${node.status}${node.errorCode ? ` (${node.errorCode})` : ''} after ${node.objectCount ?? 0} objects`,
      );
    await waiting.sleep(wait);
    wait = Math.min(POLL_MAX_MS, wait * 1.5);
  }
}
