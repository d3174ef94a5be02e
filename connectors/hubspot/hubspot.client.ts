import { Client } from '@hubspot/api-client';
import Bottleneck from 'bottleneck';
import {
  type CallLimiter,
  type ClientStats,
  type Headers,
  plainHeaders,
  type PlatformProtocol,
  Requester,
  RollingWindow,
  SwitchyardError,
} from '../../src/connectors';
import { HUBSPOT_FACTS } from './hubspot.facts';

/** What every `…WithHttpInfo` method of the SDK resolves to. */
interface HttpInfo<T> {
  httpStatusCode: number;
  headers: Record<string, string>;
  data: T;
}

interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  policyName?: string;
}

/** HubSpot's protocol: its error bodies, its DAILY 429 that only midnight helps, its pace headers. */
function hubspotProtocol(adjustPace: (headers: Headers) => void): PlatformProtocol {
  return {
    name: 'HubSpot',
    credentials: 'access token',
    authHint: "check credentials.accessToken and the private app's CRM scopes",
    errorOf: (body) => {
      const error = (
        typeof body === 'object' && body !== null ? body : { message: body }
      ) as HubSpotErrorBody;
      return { code: error.category, message: error.message };
    },
    classify: (failure, said) => {
      if (failure.status !== 429) return undefined;
      const body = failure.body as HubSpotErrorBody | undefined;
      if (body?.policyName === 'DAILY')
        return new SwitchyardError(
          'PLATFORM_QUOTA',
          `HubSpot's daily API limit is used up (${said}); resume the run after midnight in the account's time zone`,
          body,
        );
      // Ten-secondly or search's secondly limit: a second's wait, then backoff, covers the rolling window.
      return new SwitchyardError('PLATFORM_THROTTLED', said, body, 1000);
    },
    observe: adjustPace,
    // The SDK's ApiException (and `raw`'s RawHttpError): the status in `code`, the parsed body in `body`.
    failureOf: (error) => {
      const failure = error as { code?: unknown; body?: unknown; headers?: unknown };
      if (typeof failure.code !== 'number') return undefined;
      return { status: failure.code, body: failure.body, headers: plainHeaders(failure.headers) };
    },
  };
}

/**
 * The official @hubspot/api-client pointed at `url`, under the kit's requester and paced the way HubSpot
 * asks: no rolling ten-second window holds more than the app's limit (read from the X-HubSpot-RateLimit-*
 * headers of every reply; the whole allowance may go at once, then each call waits for one to leave the
 * window), search at 5 a second; a TEN_SECONDLY_ROLLING or secondly
 * 429 is answered with a wait, a DAILY one stops the run (PLATFORM_QUOTA) since only midnight helps.
 */
export class HubSpotClient {
  readonly sdk: Client;
  private readonly requester: Requester;
  private readonly pacer: Bottleneck;
  private readonly window: RollingWindow;
  private readonly searchPacer = new Bottleneck({ minTime: 1000 / HUBSPOT_FACTS.searchPerSecond });

  constructor(url: string, accessToken: string, concurrency: number, limiter?: CallLimiter) {
    this.sdk = new Client({ accessToken, basePath: url.replace(/\/+$/, '') });
    // Unpaced until the first reply says the account's limit: no more than `concurrency` calls go out before
    // it, and an account whose replies carry no limit headers is not slowed by a limit it does not have.
    this.pacer = new Bottleneck({ maxConcurrent: concurrency, minTime: 0 });
    this.window = new RollingWindow(Number.MAX_SAFE_INTEGER, HUBSPOT_FACTS.tenSecondWindowMs);
    this.requester = new Requester(
      hubspotProtocol((headers) => this.adjustPace(headers)),
      { limiter },
    );
  }

  get stats(): ClientStats {
    return this.requester.stats;
  }

  /**
   * One SDK call (`what` names it in errors). Search calls have their own pace and no rate headers. A
   * `write` that is not idempotent (a create) is never sent again after a failure that may have saved it:
   * that becomes OUTCOME_UNKNOWN.
   */
  async call<T>(
    what: string,
    request: () => Promise<HttpInfo<T>>,
    options: { search?: boolean; retries?: number; write?: boolean } = {},
  ): Promise<T> {
    return this.requester.call(
      what,
      async () => {
        const info = options.search
          ? await this.searchPacer.schedule(request)
          : await this.pacer.schedule(() => this.window.run(request));
        return { status: info.httpStatusCode, headers: plainHeaders(info.headers), data: info.data };
      },
      { retries: options.retries, write: options.write },
    );
  }

  /** A path the SDK has no typed method for (account details), through its own `apiRequest`. */
  async raw<T>(what: string, path: string): Promise<T> {
    return this.call(what, async () => {
      const response = await this.sdk.apiRequest({ method: 'GET', path });
      const headers = Object.fromEntries(response.headers.entries());
      const body = (await response.json()) as unknown;
      if (!response.ok) throw new RawHttpError(response.status, body, headers);
      return { httpStatusCode: response.status, headers, data: body as T };
    });
  }

  /** Professional and Enterprise apps get more than Starter's 100 per 10 s: follow what the portal says. */
  private adjustPace(headers: Headers): void {
    const max = Number(headers['x-hubspot-ratelimit-max']);
    const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    if (max > 0 && interval > 0) this.window.set(max, interval);
  }
}

class RawHttpError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${code}`);
  }
}
