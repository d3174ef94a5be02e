import {
  type CallLimiter,
  type ClientStats,
  DailyQuota,
  type Headers,
  type HttpRequest,
  JsonHttp,
  type PlatformProtocol,
  Requester,
  SwitchyardError,
  type TokenVault,
} from '../../src/connectors';
import { ExactAuth, type ExactCredentials } from './exact.auth';

interface ExactErrorBody {
  error?: { code?: string; message?: { value?: string } | string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exact Online's protocol: its error body, its two rate windows, its hour-long block after ten errors. */
function exactProtocol(
  minutely: { remaining?: number; resetAt?: number },
  quota: DailyQuota,
): PlatformProtocol {
  return {
    name: 'Exact Online',
    credentials: 'access token',
    authHint: 'check credentials.clientId, credentials.clientSecret and credentials.refreshToken',
    errorOf: (body) => {
      const message = (body as ExactErrorBody | undefined)?.error?.message;
      return { message: typeof message === 'string' ? message : message?.value };
    },
    classify: (failure, said) => {
      if (failure.status !== 429) return undefined;
      if (/blocked/i.test(said))
        return new SwitchyardError(
          'PLATFORM_QUOTA',
          `Exact Online blocked the app on this endpoint after ten errors in an hour (${said}); fix the cause, then run the same command again after the block ends`,
        );
      if (failure.headers['x-ratelimit-remaining'] === '0') return quota.usedUp(said);
      const reset = Number(failure.headers['x-ratelimit-minutely-reset']);
      const wait = Number.isFinite(reset) ? Math.max(250, reset - Date.now()) : 5_000;
      return new SwitchyardError('PLATFORM_THROTTLED', said, failure.body, wait);
    },
    observe: (headers: Headers) => {
      const remaining = Number(headers['x-ratelimit-minutely-remaining']);
      const reset = Number(headers['x-ratelimit-minutely-reset']);
      if (Number.isFinite(remaining) && headers['x-ratelimit-minutely-remaining'] !== undefined) {
        minutely.remaining = remaining;
        minutely.resetAt = reset;
      }
    },
  };
}

/**
 * Exact Online's REST API for one division: OAuth 2 through the vault, the kit's requester (429s waited out to
 * the minutely reset, the daily quota stopping the run cleanly with its reset time), and calls paced so the
 * minute's allowance is never overrun.
 */
export class ExactClient {
  readonly auth: ExactAuth;
  readonly quota = new DailyQuota('Exact Online', {
    remaining: 'x-ratelimit-remaining',
    reset: 'x-ratelimit-reset',
    resetUnit: 'ms',
  });
  private readonly minutely: { remaining?: number; resetAt?: number } = {};
  private readonly requester: Requester;
  private readonly http: JsonHttp;
  private divisionId?: Promise<number>;

  constructor(
    readonly url: string,
    credentials: ExactCredentials & { division?: string },
    vault: TokenVault,
    limiter?: CallLimiter,
  ) {
    this.auth = new ExactAuth(url, credentials, vault);
    this.http = new JsonHttp(
      url,
      async () => ({ authorization: `Bearer ${await this.auth.accessToken()}` }),
      {
        'content-type': 'application/json',
        prefer: 'return=representation',
      },
    );
    this.requester = new Requester(exactProtocol(this.minutely, this.quota), { limiter, quota: this.quota });
    if (credentials.division) this.divisionId = Promise.resolve(Number(credentials.division));
  }

  get stats(): ClientStats {
    return this.requester.stats;
  }

  /** The division the app works in: credentials.division, else the user's current one. */
  division(): Promise<number> {
    this.divisionId ??= this.call<{ d: { results: { CurrentDivision: number }[] } }>({
      method: 'get',
      path: '/api/v1/current/Me',
      params: { $select: 'CurrentDivision' },
    }).then((reply) => reply.d.results[0].CurrentDivision);
    this.divisionId.catch(() => (this.divisionId = undefined));
    return this.divisionId;
  }

  /** A call on the division's API: `path` is relative to `/api/v1/{division}/`, or a full `__next` URL. */
  async api<T>(request: Omit<HttpRequest, 'path'> & { path: string }): Promise<T> {
    const path = /^https?:/.test(request.path)
      ? request.path
      : `/api/v1/${await this.division()}/${request.path}`;
    return this.call<T>({ ...request, path });
  }

  private async call<T>(request: HttpRequest): Promise<T> {
    const what = `${request.method.toUpperCase()} ${request.path.replace(/^https?:\/\/[^/]+/, '').split('?')[0]}`;
    return this.requester.call(
      what,
      async () => {
        await this.pace();
        try {
          return await this.http.send<T>(request);
        } catch (error) {
          // An access token Exact refuses is renewed once and the call sent again (a 401 processed nothing);
          // never a renewal on every 401.
          if ((error as { response?: { status?: number } }).response?.status !== 401) throw error;
          this.auth.forget();
          return await this.http.send<T>(request);
        }
      },
      { write: request.method !== 'get' },
    );
  }

  /** The minute's allowance is spent: wait for its reset instead of collecting a 429. */
  private async pace(): Promise<void> {
    const { remaining, resetAt } = this.minutely;
    if (remaining !== undefined && remaining <= 0 && resetAt && resetAt > Date.now()) {
      this.stats.throttleWaits++;
      this.stats.throttleWaitMs += resetAt - Date.now();
      await sleep(resetAt - Date.now());
      this.minutely.remaining = undefined;
    }
  }
}
