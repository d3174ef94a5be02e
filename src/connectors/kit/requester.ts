import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { SwitchyardError } from '../../common/errors';
import { withRetry } from '../../common/retry';
import { type CallLimiter, type ClientStats, newClientStats } from '../connector.port';
import type { DailyQuota } from './daily-quota';

export type Headers = Record<string, string>;

/** A platform's answer, whatever carried it (axios, an official SDK). */
export interface HttpReply<T> {
  status: number;
  headers: Headers;
  data: T;
}

/** A refused call as the transport reported it: what the error mapping reads. */
export interface HttpFailure {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * What a connector declares about its platform's protocol; the requester does the rest (retries, backoff,
 * Retry-After, the shared rate budget, the daily quota, counting).
 */
export interface PlatformProtocol {
  /** The platform's name, as messages say it: `WooCommerce`, `Exact Online`. */
  name: string;
  /** What its credentials are called (`API keys`, `access token`), and what a user checks when refused. */
  credentials: string;
  authHint: string;
  /** The platform's own error code and text from its error body. */
  errorOf(body: unknown): { code?: string; message?: string };
  /**
   * Where this platform's statuses mean something the common rules do not say (a 429 for the day, a 500 that
   * is a validation refusal): its own error. `said` is the call and the platform's words, ready for a message.
   */
  classify?(failure: HttpFailure, said: string): SwitchyardError | undefined;
  /** Every reply's headers (quota and pacing headers), refused ones included. */
  observe?(headers: Headers): void;
  /** A transport error that is not an HTTP reply: its status, body and headers, when it carries them (SDKs). */
  failureOf?(error: unknown): HttpFailure | undefined;
}

export interface CallOptions {
  /** Writes are never sent twice: a temporary failure makes their outcome unknown. */
  write?: boolean;
  retries?: number;
}

/**
 * One place that turns a call into a platform's answer or a SwitchyardError: 401/403 are refused
 * credentials, 429 a throttle that waits the platform's Retry-After, 5xx temporary (a write's outcome
 * unknown), other 4xx a refusal with the platform's own words; a platform overrides what differs.
 */
export class Requester {
  readonly stats: ClientStats = newClientStats();

  constructor(
    private readonly protocol: PlatformProtocol,
    private readonly budget: { limiter?: CallLimiter; quota?: DailyQuota } = {},
  ) {}

  async call<T>(what: string, send: () => Promise<HttpReply<T>>, options: CallOptions = {}): Promise<T> {
    return (await this.reply(what, send, options)).data;
  }

  /** Like `call`, with the reply's status and headers (paging headers, a created record's location). */
  async reply<T>(
    what: string,
    send: () => Promise<HttpReply<T>>,
    options: CallOptions = {},
  ): Promise<HttpReply<T>> {
    return withRetry(
      async () => {
        this.budget.quota?.take(what);
        const reserved = await this.budget.limiter?.acquire(1);
        this.stats.calls++;
        try {
          const reply = await send();
          this.protocol.observe?.(reply.headers);
          this.budget.quota?.observe(reply.headers);
          return reply;
        } catch (error) {
          this.stats.errors++;
          throw this.translate(what, error);
        } finally {
          // A call counts as one, answered or not: charged as reserved, and no longer in flight.
          if (reserved !== undefined) await this.budget.limiter?.settle(reserved, reserved);
        }
      },
      {
        retries: options.retries,
        write: options.write,
        onWait: (ms) => {
          this.stats.throttleWaits++;
          this.stats.throttleWaitMs += ms;
        },
      },
    );
  }

  private translate(what: string, error: unknown): SwitchyardError {
    if (error instanceof SwitchyardError) return error;
    const failure = this.protocol.failureOf?.(error) ?? axiosFailure(error);
    if (!failure) {
      const cause = error as { code?: string; message?: string };
      return new SwitchyardError(
        'PLATFORM_UNREACHABLE',
        `cannot reach ${this.protocol.name} (${cause.code ?? cause.message ?? 'no response'})`,
      );
    }
    this.protocol.observe?.(failure.headers);
    this.budget.quota?.observe(failure.headers);
    const { code, message } = this.protocol.errorOf(failure.body);
    const said = `${what} → HTTP ${failure.status}${code ? ` ${code}` : ''}: ${message ?? ''}`.trim();
    const special = this.protocol.classify?.(failure, said);
    if (special) return special;
    const details = failure.body ?? undefined;
    if (failure.status === 401 || failure.status === 403)
      return new SwitchyardError(
        'PLATFORM_AUTH',
        `${this.protocol.name} refused the ${this.protocol.credentials} (${message || failure.status}); ${this.protocol.authHint}`,
        details,
      );
    if (failure.status === 429)
      return new SwitchyardError('PLATFORM_THROTTLED', said, details, retryAfterMs(failure.headers) ?? 1000);
    if (failure.status >= 500 && failure.status !== 501)
      return new SwitchyardError('PLATFORM_TEMPORARY', said, details, retryAfterMs(failure.headers));
    return new SwitchyardError('PLATFORM_REJECTED', said, details);
  }
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function axiosFailure(error: unknown): HttpFailure | undefined {
  const response = (error as { response?: AxiosResponse }).response;
  if (!response) return undefined;
  return { status: response.status, body: response.data, headers: plainHeaders(response.headers) };
}

export function plainHeaders(headers: unknown): Headers {
  const entries =
    headers instanceof globalThis.Headers
      ? [...headers.entries()]
      : Object.entries((headers ?? {}) as Record<string, unknown>);
  return Object.fromEntries(entries.map(([key, value]) => [key.toLowerCase(), String(value)]));
}

/** How a call proves who it is: headers computed per call (a token may be refreshed between calls). */
export type AuthScheme = () => Promise<Headers> | Headers;

export const auth = {
  bearer:
    (token: () => Promise<string> | string): AuthScheme =>
    async () => ({
      authorization: `Bearer ${await token()}`,
    }),
  basic:
    (user: string, password: string): AuthScheme =>
    () => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    }),
  header:
    (name: string, value: string): AuthScheme =>
    () => ({ [name.toLowerCase()]: value }),
};

export interface HttpRequest {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  params?: Record<string, string | number | boolean | undefined>;
  data?: unknown;
  headers?: Headers;
}

/**
 * A JSON-over-HTTP transport for platforms without an official SDK (axios): the base URL, the auth scheme
 * and the platform's standing headers. A reply that should carry JSON and does not (a body cut short) is a
 * temporary failure: a read is tried again, a write's outcome is unknown.
 */
export class JsonHttp {
  private readonly axios: AxiosInstance;

  constructor(
    baseURL: string,
    private readonly authScheme?: AuthScheme,
    headers: Headers = {},
    timeoutMs = 60_000,
  ) {
    this.axios = axios.create({
      baseURL: baseURL.replace(/\/+$/, ''),
      timeout: timeoutMs,
      headers: { accept: 'application/json', ...headers },
      // Platforms differ on arrays and spaces; every parameter is sent as given, percent-encoded.
      paramsSerializer: { serialize: (params) => new URLSearchParams(definedOnly(params)).toString() },
    });
  }

  async send<T>(request: HttpRequest): Promise<HttpReply<T>> {
    const response = await this.axios.request<T>({
      method: request.method,
      url: request.path,
      params: request.params,
      data: request.data,
      headers: { ...(await this.authScheme?.()), ...request.headers },
    });
    const empty = response.status === 204 || response.data === '' || response.data === undefined;
    if (!empty && (typeof response.data !== 'object' || response.data === null))
      throw new SwitchyardError(
        'PLATFORM_TEMPORARY',
        `${request.method.toUpperCase()} ${request.path} → HTTP ${response.status} with a reply that is not JSON (cut short?)`,
      );
    return { status: response.status, headers: plainHeaders(response.headers), data: response.data };
  }
}

function definedOnly(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([key, value]) => [key, String(value)]),
  );
}
