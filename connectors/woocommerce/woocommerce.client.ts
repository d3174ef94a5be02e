import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import type { AxiosResponse } from 'axios';
import {
  type CallLimiter,
  type ClientStats,
  newClientStats,
  SwitchyardError,
  withRetry,
} from '../../src/connectors';

export interface WcErrorBody {
  code?: string;
  message?: string;
  data?: { status?: number; params?: unknown };
}

type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * The official WooCommerce client (OAuth 1.0a over http, Basic over https), with retries for 429 and
 * 5xx honouring Retry-After, and WooCommerce's error bodies turned into SwitchyardErrors.
 */
export class WooClient {
  readonly stats: ClientStats = newClientStats();
  private readonly api: WooCommerceRestApi;

  /** `limiter`: a budget shared by all workers, when the store's host publishes one (wc/v3 itself has none). */
  constructor(
    url: string,
    consumerKey: string,
    consumerSecret: string,
    private readonly limiter?: CallLimiter,
  ) {
    this.api = new WooCommerceRestApi({
      url,
      consumerKey,
      consumerSecret,
      version: 'wc/v3',
      timeout: 60_000,
    });
  }

  async request<T>(
    method: Method,
    path: string,
    options: { params?: Record<string, unknown>; data?: unknown; retries?: number } = {},
  ): Promise<AxiosResponse<T>> {
    return withRetry(
      async () => {
        await this.limiter?.acquire(1);
        this.stats.calls++;
        try {
          return readable(method, path, await this.send<T>(method, path, options));
        } catch (error) {
          this.stats.errors++;
          throw error instanceof SwitchyardError ? error : translate(method, path, error);
        }
      },
      {
        retries: options.retries,
        // POST, PUT and DELETE write: one without a definitive answer is looked up, never re-sent.
        write: method !== 'get',
        onWait: (ms) => {
          this.stats.throttleWaits++;
          this.stats.throttleWaitMs += ms;
        },
      },
    );
  }

  private async send<T>(
    method: Method,
    path: string,
    options: { params?: Record<string, unknown>; data?: unknown },
  ): Promise<AxiosResponse<T>> {
    switch (method) {
      case 'get':
        return (await this.api.get(path, options.params ?? {})) as AxiosResponse<T>;
      case 'post':
        return (await this.api.post(path, options.data ?? {}, options.params ?? {})) as AxiosResponse<T>;
      case 'put':
        return (await this.api.put(path, options.data ?? {}, options.params ?? {})) as AxiosResponse<T>;
      case 'delete':
        return (await this.api.delete(path, options.params ?? {})) as AxiosResponse<T>;
    }
  }
}

/**
 * WooCommerce answers JSON; a body axios could not parse (cut short by a proxy, say) arrives as a string.
 * Such a reply says nothing: a read is tried again, a write's outcome is unknown.
 */
function readable<T>(method: Method, path: string, response: AxiosResponse<T>): AxiosResponse<T> {
  if (typeof response.data === 'object' && response.data !== null) return response;
  throw new SwitchyardError(
    'PLATFORM_TEMPORARY',
    `${method.toUpperCase()} ${path} → HTTP ${response.status} with a reply that is not JSON (cut short?)`,
  );
}

function translate(method: Method, path: string, error: unknown): SwitchyardError {
  const axiosError = error as { response?: AxiosResponse<WcErrorBody>; code?: string; message?: string };
  const response = axiosError.response;
  if (!response) {
    return new SwitchyardError(
      'PLATFORM_UNREACHABLE',
      `cannot reach the store (${axiosError.code ?? axiosError.message ?? 'no response'})`,
    );
  }
  const body = response.data ?? {};
  const what =
    `${method.toUpperCase()} ${path} → HTTP ${response.status}${body.code ? ` ${body.code}` : ''}: ${body.message ?? ''}`.trim();
  if (response.status === 401 || response.status === 403) {
    return new SwitchyardError(
      'PLATFORM_AUTH',
      `WooCommerce refused the API keys (${body.message ?? response.status}); check consumerKey and consumerSecret`,
    );
  }
  if (response.status === 429) {
    const seconds = Number(response.headers['retry-after'] ?? 1);
    return new SwitchyardError(
      'PLATFORM_THROTTLED',
      what,
      body,
      (Number.isFinite(seconds) ? seconds : 1) * 1000,
    );
  }
  if (response.status >= 500 && response.status !== 501)
    return new SwitchyardError('PLATFORM_TEMPORARY', what, body);
  return new SwitchyardError('PLATFORM_REJECTED', what, body);
}
