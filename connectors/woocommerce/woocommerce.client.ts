import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import type { AxiosResponse } from 'axios';
import {
  type CallLimiter,
  type ClientStats,
  type HttpReply,
  plainHeaders,
  type PlatformProtocol,
  Requester,
  SwitchyardError,
} from '../../src/connectors';

export interface WcErrorBody {
  code?: string;
  message?: string;
  data?: { status?: number; params?: unknown };
}

type Method = 'get' | 'post' | 'put' | 'delete';

/** WooCommerce's protocol: `{code, message, data}` error bodies; the kit's rules for everything else. */
const WOO_PROTOCOL: PlatformProtocol = {
  name: 'WooCommerce',
  credentials: 'API keys',
  authHint: 'check consumerKey and consumerSecret',
  errorOf: (body) => {
    const error = (body ?? {}) as WcErrorBody;
    return { code: error.code, message: error.message };
  },
};

/**
 * The official WooCommerce client (OAuth 1.0a over http, Basic over https) under the kit's requester:
 * retries for 429 and 5xx honouring Retry-After, writes never sent twice, WooCommerce's error bodies
 * turned into SwitchyardErrors.
 */
export class WooClient {
  private readonly api: WooCommerceRestApi;
  private readonly requester: Requester;

  /** `limiter`: a budget shared by all workers, when the store's host publishes one (wc/v3 itself has none). */
  constructor(url: string, consumerKey: string, consumerSecret: string, limiter?: CallLimiter) {
    this.api = new WooCommerceRestApi({
      url,
      consumerKey,
      consumerSecret,
      version: 'wc/v3',
      timeout: 60_000,
    });
    this.requester = new Requester(WOO_PROTOCOL, { limiter });
  }

  get stats(): ClientStats {
    return this.requester.stats;
  }

  request<T>(
    method: Method,
    path: string,
    options: { params?: Record<string, unknown>; data?: unknown; retries?: number } = {},
  ): Promise<HttpReply<T>> {
    return this.requester.reply(
      `${method.toUpperCase()} ${path}`,
      async () => readable(method, path, await this.send<T>(method, path, options)),
      // POST, PUT and DELETE write: one without a definitive answer is looked up, never re-sent.
      { retries: options.retries, write: method !== 'get' },
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
function readable<T>(method: Method, path: string, response: AxiosResponse<T>): HttpReply<T> {
  if (typeof response.data !== 'object' || response.data === null)
    throw new SwitchyardError(
      'PLATFORM_TEMPORARY',
      `${method.toUpperCase()} ${path} → HTTP ${response.status} with a reply that is not JSON (cut short?)`,
    );
  return { status: response.status, headers: plainHeaders(response.headers), data: response.data };
}
