import Bottleneck from 'bottleneck';
import { Connection } from 'jsforce';
import { Transport } from 'jsforce/lib/transport';
import type { HttpRequest, HttpRequestOptions } from 'jsforce/lib/types';
import {
  type CallLimiter,
  type ClientStats,
  newClientStats,
  SwitchyardError,
  withRetry,
} from '../../src/connectors';
import { SALESFORCE_FACTS } from './salesforce.facts';

/**
 * jsforce reads HTTPS_PROXY at load and sends every call through it, ignoring NO_PROXY. A connection to a
 * host NO_PROXY names (or to loopback, where a proxy can never help) goes direct.
 */
class DirectTransport extends Transport {
  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}) {
    return super.httpRequest(req, { ...options, httpProxy: undefined });
  }
}

function bypassesProxy(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (['127.0.0.1', 'localhost', '::1'].includes(host)) return true;
  const noProxy = (process.env.NO_PROXY ?? process.env.no_proxy ?? '').split(',').map((h) => h.trim());
  return noProxy.some(
    (entry) =>
      entry === '*' ||
      (entry &&
        (host === entry.replace(/^\./, '') || host.endsWith(entry.startsWith('.') ? entry : `.${entry}`))),
  );
}

/** The 24-hour allocation as the org last reported it (`Sforce-Limit-Info: api-usage=used/max`). */
export interface Allocation {
  used: number;
  max: number;
}

/**
 * jsforce pointed at an org, with Salesforce's one hard limit kept: the rolling 24-hour API allocation.
 * Every response reports usage; a call that would take the org past its allocation (less a reserve left
 * for the org's other integrations) is never sent, and the run stops with PLATFORM_QUOTA to be resumed
 * later. Calls run `concurrency` at a time; 5xx and network failures are retried with backoff.
 */
export class SalesforceClient {
  readonly stats: ClientStats = newClientStats();
  readonly conn: Connection;
  allocation?: Allocation;
  private inFlight = 0;
  private seenUsage?: unknown;
  private readonly pacer: Bottleneck;

  constructor(
    url: string,
    accessToken: string,
    concurrency: number,
    private readonly limiter?: CallLimiter,
    /** Share of the allocation left untouched for the org's other integrations. */
    private readonly reserveShare = SALESFORCE_FACTS.allocationReserveShare,
  ) {
    this.conn = new Connection({
      instanceUrl: url.replace(/\/+$/, ''),
      accessToken,
      version: SALESFORCE_FACTS.apiVersion,
    });
    if (bypassesProxy(url))
      (this.conn as unknown as { _transport: Transport })._transport = new DirectTransport();
    this.pacer = new Bottleneck({ maxConcurrent: Math.max(1, concurrency) });
  }

  /**
   * One API call through jsforce (`what` names it in errors); counts against the allocation. `write`: a
   * create that is not keyed on an External ID, which a lost reply makes OUTCOME_UNKNOWN instead of
   * sending it again (upserts on the External ID are safe to repeat).
   */
  async call<T>(
    what: string,
    request: (conn: Connection) => Promise<T>,
    options: { write?: boolean } = {},
  ): Promise<T> {
    return withRetry(
      () =>
        this.pacer.schedule(async () => {
          this.guardAllocation(what);
          const reserved = await this.limiter?.acquire(1);
          this.stats.calls++;
          this.inFlight++;
          try {
            return await request(this.conn);
          } catch (error) {
            this.stats.errors++;
            throw translate(what, error);
          } finally {
            this.inFlight--;
            if (reserved !== undefined) await this.limiter?.settle(reserved, reserved);
            const usage = this.conn.limitInfo?.apiUsage;
            if (usage && usage !== this.seenUsage) {
              this.seenUsage = usage;
              this.allocation = { used: usage.used, max: usage.limit };
            }
          }
        }),
      {
        write: options.write,
        onWait: (ms) => {
          this.stats.throttleWaits++;
          this.stats.throttleWaitMs += ms;
        },
      },
    );
  }

  /** Records usage from a response jsforce did not see (`api-usage=used/max`). */
  noteUsage(header: string | null) {
    const usage = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
    if (usage) this.allocation = { used: Number(usage[1]), max: Number(usage[2]) };
  }

  /** Requests the run may still make before it reaches the reserve. */
  remaining(): number | undefined {
    if (!this.allocation) return undefined;
    const { used, max } = this.allocation;
    return max - Math.ceil(max * this.reserveShare) - used - this.inFlight;
  }

  private guardAllocation(what: string) {
    const left = this.remaining();
    if (left === undefined || left > 0) return;
    const { used, max } = this.allocation!;
    throw new SwitchyardError(
      'PLATFORM_QUOTA',
      `Salesforce's 24-hour API allocation is used up to the reserve: ${used} of ${max} requests, ${Math.ceil(max * this.reserveShare)} kept for the org's other integrations; stopped before ${what}. Resume the run when the rolling 24-hour window has freed requests (Setup → Company Information → API Requests, Last 24 Hours)`,
      { used, max },
    );
  }
}

interface JsforceError {
  errorCode?: string;
  name?: string;
  message?: string;
  data?: unknown;
  code?: string;
}

function translate(what: string, error: unknown): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const failure = error as JsforceError;
  const code = failure.errorCode ?? '';
  const said = `${what} → ${code || 'error'}: ${failure.message ?? ''}`;
  if (!code) {
    return new SwitchyardError(
      'PLATFORM_UNREACHABLE',
      `cannot reach Salesforce (${failure.code ?? failure.message ?? 'no response'})`,
    );
  }
  if (code === 'INVALID_SESSION_ID' || code === 'INVALID_AUTH_HEADER')
    return new SwitchyardError(
      'PLATFORM_AUTH',
      `Salesforce refused the access token (${failure.message}); check credentials.accessToken and that the session has not expired`,
    );
  if (code === 'REQUEST_LIMIT_EXCEEDED')
    return new SwitchyardError(
      'PLATFORM_QUOTA',
      `Salesforce's 24-hour API allocation is used up (${what}: ${failure.message}); resume the run when the rolling window has freed requests`,
      failure.data,
    );
  if (
    /^ERROR_HTTP_5\d\d$/.test(code) ||
    ['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW'].includes(code)
  )
    return new SwitchyardError('PLATFORM_TEMPORARY', said, failure.data);
  return new SwitchyardError('PLATFORM_REJECTED', said, failure.data);
}
