import { createHash } from 'node:crypto';
import axios from 'axios';
import { SwitchyardError, type TokenVault } from '../../src/connectors';
import { EXACT_FACTS } from './exact.facts';

export interface ExactCredentials {
  clientId: string;
  clientSecret: string;
  /** The refresh token the app was last authorized with; after that, the vault holds the current one. */
  refreshToken: string;
}

/** What the vault keeps for one app and account: the live refresh token and the access token it gave. */
interface Stored {
  /** Which authorization this chain started from: a new refresh token in the plan starts a new chain. */
  origin: string;
  refreshToken: string;
  accessToken: string;
  expiresAt: number;
}

/**
 * Exact's OAuth 2 with rotating refresh tokens. Each refresh returns a new refresh token and kills the one used,
 * so a token must never be used twice: every renewal runs under the vault's lock (the ledger in the CLI, a Redis
 * lock across workers), reads the current token from the vault, and writes the new one before the lock is
 * released. A process that finds an access token another one renewed a moment ago uses it and renews nothing.
 */
export class ExactAuth {
  private current?: { accessToken: string; expiresAt: number };
  /** An access token Exact refused: never taken from the vault again. */
  private rejected?: string;
  private readonly key: string;
  private readonly origin: string;

  constructor(
    private readonly url: string,
    private readonly credentials: ExactCredentials,
    private readonly vault: TokenVault,
  ) {
    this.key = `exact-online:${url}:${credentials.clientId}`;
    this.origin = createHash('sha256').update(credentials.refreshToken).digest('hex').slice(0, 16);
  }

  /** An access token with at least half a minute to live. */
  async accessToken(): Promise<string> {
    if (this.current && this.current.expiresAt - Date.now() > EXACT_FACTS.tokenRenewBeforeMs)
      return this.current.accessToken;
    const stored = JSON.parse(await this.vault.rotate(this.key, (text) => this.renew(text))) as Stored;
    this.current = { accessToken: stored.accessToken, expiresAt: stored.expiresAt };
    return stored.accessToken;
  }

  /** After a 401: the token this process held is not to be used again. */
  forget(): void {
    this.rejected = this.current?.accessToken;
    this.current = undefined;
  }

  private async renew(text: string | undefined): Promise<string> {
    const stored = text ? (JSON.parse(text) as Stored) : undefined;
    const chain = stored?.origin === this.origin ? stored : undefined;
    // Another worker renewed a moment ago: its access token serves us too.
    if (
      chain &&
      chain.expiresAt - Date.now() > EXACT_FACTS.tokenRenewBeforeMs &&
      chain.accessToken !== this.rejected
    )
      return text!;
    const refreshToken = chain?.refreshToken ?? this.credentials.refreshToken;
    const reply = await axios
      .post<{ access_token: string; refresh_token: string; expires_in: string | number }>(
        `${this.url.replace(/\/+$/, '')}/api/oauth2/token`,
        new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
        }),
        { timeout: 30_000 },
      )
      .catch((error: unknown) => {
        throw refused(error);
      });
    const next: Stored = {
      origin: this.origin,
      refreshToken: reply.data.refresh_token,
      accessToken: reply.data.access_token,
      // expires_in comes as a string of seconds.
      expiresAt: Date.now() + Number(reply.data.expires_in) * 1000,
    };
    return JSON.stringify(next);
  }
}

function refused(error: unknown): SwitchyardError {
  const response = (error as { response?: { status: number; data?: { error?: string } } }).response;
  if (!response)
    return new SwitchyardError(
      'PLATFORM_UNREACHABLE',
      `cannot reach Exact Online's token endpoint (${(error as Error).message})`,
    );
  const reason = response.data?.error ?? `HTTP ${response.status}`;
  if (reason === 'invalid_grant')
    return new SwitchyardError(
      'PLATFORM_AUTH',
      'Exact Online refused the refresh token (invalid_grant): it was used already or has expired. Authorize the app again and put the new refresh token in credentials.refreshToken',
    );
  if (response.status >= 500)
    return new SwitchyardError('PLATFORM_TEMPORARY', `Exact Online's token endpoint answered ${reason}`);
  return new SwitchyardError(
    'PLATFORM_AUTH',
    `Exact Online refused the app (${reason}); check credentials.clientId and credentials.clientSecret`,
  );
}
