import { Client } from '@hubspot/api-client';
import Bottleneck from 'bottleneck';
import {
  type CallLimiter,
  type ClientStats,
  newClientStats,
  SwitchyardError,
  withRetry,
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

/**
 * The official @hubspot/api-client pointed at `url`, paced and retried the way HubSpot asks: calls are
 * spaced so no rolling ten-second window holds more than the app's limit (read from the
 * X-HubSpot-RateLimit-* headers as they arrive), search at 5 a second; a TEN_SECONDLY_ROLLING or secondly
 * 429 is answered with a wait, a DAILY one stops the run (PLATFORM_QUOTA) since only midnight helps.
 */
export class HubSpotClient {
  readonly stats: ClientStats = newClientStats();
  readonly sdk: Client;
  private readonly pacer: Bottleneck;
  private readonly searchPacer = new Bottleneck({ minTime: 1000 / HUBSPOT_FACTS.searchPerSecond });

  constructor(
    url: string,
    accessToken: string,
    concurrency: number,
    private readonly limiter?: CallLimiter,
  ) {
    this.sdk = new Client({ accessToken, basePath: url.replace(/\/+$/, '') });
    this.pacer = new Bottleneck({
      maxConcurrent: concurrency,
      minTime: HUBSPOT_FACTS.tenSecondWindowMs / HUBSPOT_FACTS.tenSecondlyLimit,
    });
  }

  /** One SDK call (`what` names it in errors). Search calls have their own pace and no rate headers. */
  async call<T>(
    what: string,
    request: () => Promise<HttpInfo<T>>,
    options: { search?: boolean; retries?: number } = {},
  ): Promise<T> {
    return withRetry(
      async () => {
        await this.limiter?.acquire(1);
        this.stats.calls++;
        try {
          const info = await (options.search ? this.searchPacer : this.pacer).schedule(request);
          this.adjustPace(info.headers);
          return info.data;
        } catch (error) {
          this.stats.errors++;
          throw translate(what, error);
        }
      },
      {
        retries: options.retries,
        onWait: (ms) => {
          this.stats.throttleWaits++;
          this.stats.throttleWaitMs += ms;
        },
      },
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
  private adjustPace(headers: Record<string, string>): void {
    const max = Number(headers['x-hubspot-ratelimit-max']);
    const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
    if (max > 0 && interval > 0) this.pacer.updateSettings({ minTime: interval / max });
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

function translate(what: string, error: unknown): SwitchyardError {
  const failure = error as { code?: unknown; body?: unknown; message?: string };
  if (typeof failure.code !== 'number') {
    return new SwitchyardError(
      'PLATFORM_UNREACHABLE',
      `cannot reach HubSpot (${failure.message ?? 'no response'})`,
    );
  }
  const status = failure.code;
  const body = (
    typeof failure.body === 'object' && failure.body !== null ? failure.body : { message: failure.body }
  ) as HubSpotErrorBody;
  const said = `${what} → HTTP ${status}${body.category ? ` ${body.category}` : ''}: ${body.message ?? ''}`;
  if (status === 401 || status === 403) {
    return new SwitchyardError(
      'PLATFORM_AUTH',
      `HubSpot refused the access token (${body.message ?? status}); check credentials.accessToken and the private app's CRM scopes`,
    );
  }
  if (status === 429) {
    if (body.policyName === 'DAILY') {
      return new SwitchyardError(
        'PLATFORM_QUOTA',
        `HubSpot's daily API limit is used up (${what}); resume the run after midnight in the account's time zone`,
        body,
      );
    }
    // Ten-secondly or search's secondly limit: a second's wait, then backoff, covers the rolling window.
    return new SwitchyardError('PLATFORM_THROTTLED', said, body, 1000);
  }
  if (status >= 500) return new SwitchyardError('PLATFORM_TEMPORARY', said, body);
  return new SwitchyardError('PLATFORM_REJECTED', said, body);
}
