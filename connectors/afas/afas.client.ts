import Bottleneck from 'bottleneck';
import {
  type CallLimiter,
  type ClientStats,
  JsonHttp,
  type PlatformProtocol,
  Requester,
  retryAfterMs,
  SwitchyardError,
} from '../../src/connectors';
import { AFAS_FACTS } from './afas.facts';

interface ProfitErrorBody {
  externalMessage?: string;
  errorNumber?: number;
  profitLogReference?: string;
  error?: { code?: string; message?: string };
  retry_after?: number;
}

/**
 * Profit's protocol: a 500 is a functional refusal with a readable `externalMessage` and a log reference (not
 * an outage: sending it again changes nothing), a 503 carries `retry_after` in seconds, 401 a bad token, 403 an
 * IP restriction.
 */
const PROFIT_PROTOCOL: PlatformProtocol = {
  name: 'AFAS Profit',
  credentials: 'token',
  authHint:
    "check credentials.token (the App Connector user's token, base64 of its XML) and the environment URL",
  errorOf: (body) => {
    const error = (body ?? {}) as ProfitErrorBody;
    return { message: error.externalMessage ?? error.error?.message };
  },
  classify: (failure, said) => {
    const body = (failure.body ?? {}) as ProfitErrorBody;
    if (failure.status === 500 && body.externalMessage)
      return new SwitchyardError(
        'PLATFORM_REJECTED',
        `${body.externalMessage.trim()} (Profit log reference ${body.profitLogReference ?? 'none'})`,
        body,
      );
    if (failure.status === 503)
      return new SwitchyardError(
        'PLATFORM_TEMPORARY',
        said,
        body,
        (body.retry_after ?? 0) * 1000 || retryAfterMs(failure.headers) || 5_000,
      );
    if (failure.status === 403)
      return new SwitchyardError(
        'PLATFORM_AUTH',
        `AFAS Profit refused this address (${said}): the token's IP restriction does not allow it`,
        body,
      );
    return undefined;
  },
};

/** AFAS Profit's REST services: the kit's requester, at most 5 calls at once, Dutch field metadata. */
export class ProfitClient {
  private readonly requester: Requester;
  private readonly http: JsonHttp;
  private readonly slots = new Bottleneck({ maxConcurrent: AFAS_FACTS.maxConcurrent });

  constructor(url: string, token: string, limiter?: CallLimiter, integrationId?: string) {
    const authorization = `AfasToken ${/^</.test(token.trim()) ? Buffer.from(token.trim()).toString('base64') : token.trim()}`;
    this.http = new JsonHttp(url, () => ({ authorization }), {
      'content-type': 'application/json',
      'accept-language': 'nl-nl',
      ...(integrationId ? { integrationid: integrationId } : {}),
    });
    this.requester = new Requester(PROFIT_PROTOCOL, { limiter });
  }

  get stats(): ClientStats {
    return this.requester.stats;
  }

  /** One page of a GetConnector, in a stable order. */
  rows<T>(connector: string, params: Record<string, string | number>): Promise<{ rows: T[] }> {
    return this.call('get', `/connectors/${connector}`, { params });
  }

  /** An UpdateConnector call: POST inserts, PUT updates; the body is Profit's Element/Fields/Objects shape. */
  update<T>(method: 'post' | 'put', connector: string, body: unknown): Promise<T> {
    return this.call('post' === method ? 'post' : 'put', `/connectors/${connector}`, { data: body });
  }

  version(): Promise<{ version: string }> {
    return this.call('get', '/ProfitVersion', {});
  }

  private call<T>(
    method: 'get' | 'post' | 'put',
    path: string,
    request: { params?: Record<string, string | number>; data?: unknown },
  ): Promise<T> {
    return this.requester.call(
      `${method.toUpperCase()} ${path}`,
      () => this.slots.schedule(() => this.http.send<T>({ method, path, ...request })),
      {
        write: method !== 'get',
      },
    );
  }
}
