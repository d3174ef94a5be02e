import '@shopify/shopify-api/adapters/node';
import { createHash } from 'node:crypto';
import {
  ApiVersion,
  GraphqlQueryError,
  HttpRequestError,
  HttpResponseError,
  HttpThrottlingError,
  LogSeverity,
  shopifyApi,
  type Session,
} from '@shopify/shopify-api';
import { abstractFetch, setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import {
  type CallLimiter,
  type ClientStats,
  newClientStats,
  SwitchyardError,
  withRetry,
} from '../../src/connectors';
import { estimateQueryCost } from './query-cost-estimate';
import { SHOPIFY_FACTS } from './shopify.facts';

/**
 * The SDK's GraphQL client always speaks https to `<shop>.myshopify.com`. A sandbox (or any store
 * URL that is not a myshopify domain) gets a stand-in shop name, and this process-wide fetch sends
 * that name's requests to the real URL (shared/reference/ecommerce-apis.md §1.6).
 */
const routes = new Map<string, string>();
/** The API version each shop's last answer was executed with (`X-Shopify-API-Version`), by shop name. */
const servedVersions = new Map<string, string>();
const originalFetch = abstractFetch;
setAbstractFetchFunc(async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const route = [...routes].find(([from]) => url.startsWith(from));
  const response = await (route
    ? originalFetch(route[1] + url.slice(route[0].length), init)
    : originalFetch(input, init));
  const served = response.headers.get('x-shopify-api-version');
  if (served) servedVersions.set(new URL(url).hostname, served);
  return response;
});

function shopFor(storeUrl: string): string {
  const url = new URL(storeUrl);
  if (url.protocol === 'https:' && url.hostname.endsWith('.myshopify.com') && !url.port) return url.hostname;
  const shop = `switchyard-${createHash('sha1').update(url.origin).digest('hex').slice(0, 12)}.myshopify.com`;
  routes.set(`https://${shop}`, url.origin);
  return shop;
}

interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface QueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

interface GraphqlErrorBody {
  message: string;
  extensions?: { code?: string };
  path?: (string | number)[];
}

/**
 * A GraphQL Admin API client that honours the calculated-cost limit: it waits before a query the
 * bucket cannot pay for, answers the HTTP 200 `THROTTLED` body with a wait for the restore rate,
 * and retries 429/5xx/network failures with backoff.
 */
export class ShopifyGraphqlClient {
  readonly stats: ClientStats = newClientStats();
  private readonly session: Session;
  private readonly client: InstanceType<ReturnType<typeof shopifyApi>['clients']['Graphql']>;
  private throttle: ThrottleStatus | null = null;

  constructor(
    storeUrl: string,
    accessToken: string,
    private readonly limiter?: CallLimiter,
  ) {
    const shopify = shopifyApi({
      apiSecretKey: 'switchyard-custom-app',
      adminApiAccessToken: accessToken,
      isCustomStoreApp: true,
      isEmbeddedApp: false,
      hostName: 'localhost',
      apiVersion: ApiVersion.January25,
      logger: { level: LogSeverity.Error, log: () => Promise.resolve() },
    });
    this.session = shopify.session.customAppSession(shopFor(storeUrl));
    this.client = new shopify.clients.Graphql({ session: this.session });
  }

  /** The API version the shop last answered with: Shopify serves a retired version as its oldest supported one. */
  servedVersion(): string | undefined {
    return servedVersions.get(this.session.shop);
  }

  /** `retries` is lowered by the connectivity check, where a fast "cannot reach" beats a patient one. */
  async request<T>(query: string, variables: Record<string, unknown> = {}, retries?: number): Promise<T> {
    return withRetry(() => this.once<T>(query, variables), {
      retries,
      // A mutation whose answer is lost may have been saved: the connector looks it up, never re-sends it.
      write: /^\s*mutation\b/.test(query),
      onWait: (ms) => {
        this.stats.throttleWaits++;
        this.stats.throttleWaitMs += ms;
      },
    });
  }

  private async once<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    // Reserve the query's requested cost, then settle with what Shopify says it really cost.
    const estimate = Math.min(estimateQueryCost(query, variables), SHOPIFY_FACTS.maxQueryCost);
    const reserved = (await this.limiter?.acquire(estimate)) ?? 0;
    await this.waitForBudget(estimate);
    this.stats.calls++;
    const known = this.throttle;
    let actual: number | null = null;
    try {
      const response = await this.client.request(query, { variables, retries: 0 });
      actual = this.remember(response.extensions);
      return response.data as T;
    } catch (error) {
      this.stats.errors++;
      throw this.translate(query, error);
    } finally {
      // Shopify charges the actual cost (unused requested points are refunded; a throttled or failed query
      // costs nothing), and its throttleStatus is the truth about the bucket: every reservation is settled.
      const reported = this.throttle !== known ? this.throttle?.currentlyAvailable : undefined;
      if (this.limiter) await this.limiter.settle(reserved, actual, reported);
    }
  }

  /** Waits until the last reported bucket holds this query's cost, so throttling is the exception. */
  private async waitForBudget(cost: number): Promise<void> {
    if (!this.throttle || this.throttle.currentlyAvailable >= cost) return;
    const ms = Math.ceil(((cost - this.throttle.currentlyAvailable) / this.throttle.restoreRate) * 1000);
    this.throttle = null;
    this.stats.throttleWaits++;
    this.stats.throttleWaitMs += ms;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Learns the bucket's state; returns what Shopify actually charged, if it says. */
  private remember(extensions: unknown): number | null {
    const cost = (extensions as { cost?: QueryCost } | undefined)?.cost;
    if (cost?.throttleStatus) this.throttle = cost.throttleStatus;
    return cost?.actualQueryCost ?? null;
  }

  private translate(query: string, error: unknown): SwitchyardError {
    if (error instanceof GraphqlQueryError) {
      const body = error.body as
        { errors?: { graphQLErrors?: GraphqlErrorBody[] }; extensions?: unknown } | undefined;
      const errors = body?.errors?.graphQLErrors ?? [];
      this.remember(body?.extensions);
      if (errors.some((e) => e.extensions?.code === 'THROTTLED')) {
        const cost = (body?.extensions as { cost?: QueryCost } | undefined)?.cost;
        const status = cost?.throttleStatus;
        const needed = (cost?.requestedQueryCost ?? 50) - (status?.currentlyAvailable ?? 0);
        const waitMs = status ? Math.max(100, Math.ceil((needed / status.restoreRate) * 1000)) : 1000;
        return new SwitchyardError(
          'PLATFORM_THROTTLED',
          'Shopify throttled the query (cost limit)',
          undefined,
          waitMs,
        );
      }
      const messages = errors
        .map((e) => `${e.message}${e.extensions?.code ? ` [${e.extensions.code}]` : ''}`)
        .join('; ');
      return new SwitchyardError(
        'PLATFORM_REJECTED',
        `Shopify rejected the query: ${messages || error.message}`,
      );
    }
    if (error instanceof HttpThrottlingError) {
      const seconds = error.response.retryAfter ?? 2;
      return new SwitchyardError('PLATFORM_THROTTLED', 'Shopify answered 429', undefined, seconds * 1000);
    }
    if (error instanceof HttpResponseError) {
      const code = error.response.code;
      if (code === 401 || code === 403) {
        return new SwitchyardError(
          'PLATFORM_AUTH',
          `Shopify refused the access token (HTTP ${code}); check credentials.accessToken`,
        );
      }
      if (code === 429)
        return new SwitchyardError('PLATFORM_THROTTLED', 'Shopify answered 429', undefined, 2000);
      if (code >= 500) return new SwitchyardError('PLATFORM_TEMPORARY', `Shopify answered HTTP ${code}`);
      if (code === 404)
        return new SwitchyardError(
          'PLATFORM_REJECTED',
          'Shopify answered 404: is the URL a shop and the API version served?',
        );
      return new SwitchyardError('PLATFORM_REJECTED', `Shopify answered HTTP ${code}: ${error.message}`);
    }
    if (error instanceof HttpRequestError) {
      return new SwitchyardError(
        'PLATFORM_UNREACHABLE',
        `cannot reach the shop (${error.message.replace(/^Http request error, no response available: /, '')})`,
      );
    }
    return new SwitchyardError('PLATFORM_UNREACHABLE', `request failed: ${(error as Error).message}`);
  }
}

export { SHOPIFY_FACTS };
