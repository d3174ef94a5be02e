import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RateBudget } from '../../connectors/connector.port';
import { platformModule } from '../../connectors/connector.registry';
import { ConnectionRow, type ConnectionSettings } from '../../ledger/ledger.entities';
import { errorMessage, SwitchyardError } from '../../common/errors';
import { redact, rememberSecret } from '../../common/secrets';
import { CredentialCipher } from '../../security/credential-cipher';
import { EgressPolicy } from '../../security/egress-policy';
import { NotFound } from '../api/not-found.error';
import { SharedBudgets } from '../rate-limit/shared-budgets';

/** How long creating or testing a connection waits for the platform's first answer. */
const CHECK_TIMEOUT_MS = 20_000;

/** What an API caller may see of a connection: everything but the credentials. */
export interface ConnectionView {
  id: string;
  name: string;
  platform: string;
  url: string;
  settings: ConnectionSettings;
  createdAt: string;
}

@Injectable()
export class ConnectionsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(CredentialCipher) private readonly cipher: CredentialCipher,
    @Inject(EgressPolicy) private readonly egress: EgressPolicy,
    @Inject(SharedBudgets) private readonly budgets: SharedBudgets,
  ) {}

  async create(input: {
    name: string;
    platform: string;
    url: string;
    credentials: Record<string, string>;
    rateLimit?: ConnectionSettings['rateLimit'];
  }): Promise<{ id: string; notices?: string[] }> {
    const info = await this.verify(input);
    const row: ConnectionRow = {
      id: randomUUID(),
      name: input.name,
      platform: input.platform,
      url: input.url,
      credentials: this.cipher.encrypt(input.credentials),
      createdAt: new Date().toISOString(),
      settings: input.rateLimit ? { rateLimit: input.rateLimit } : null,
    };
    await this.dataSource.getRepository(ConnectionRow).insert(row);
    // What the platform said that a user should know before a run (another API version, a development shop).
    return { id: row.id, ...(info.notices?.length ? { notices: info.notices } : {}) };
  }

  async list(): Promise<ConnectionView[]> {
    return (await this.dataSource.getRepository(ConnectionRow).find({ order: { createdAt: 'ASC' } })).map(
      view,
    );
  }

  async get(id: string): Promise<ConnectionView> {
    return view(await this.row(id));
  }

  /** For the worker only: the connection with its credentials decrypted, in memory. */
  async open(id: string): Promise<{
    platform: string;
    url: string;
    credentials: Record<string, string>;
    settings: ConnectionSettings;
  }> {
    const row = await this.row(id);
    return {
      platform: row.platform,
      url: row.url,
      credentials: this.cipher.decrypt(row.credentials),
      settings: row.settings ?? {},
    };
  }

  /** Reaches a stored connection's platform with its credentials, as creating it did. */
  async test(id: string): Promise<{ ok: true; currency?: string; name?: string; notices?: string[] }> {
    const connection = await this.open(id);
    const info = await this.verify({ ...connection, rateLimit: connection.settings.rateLimit });
    return {
      ok: true,
      ...(info.currency ? { currency: info.currency } : {}),
      ...(info.name ? { name: info.name } : {}),
      ...(info.notices?.length ? { notices: info.notices } : {}),
    };
  }

  /**
   * A connection must be allowed (http or https, a host the egress policy lets the service call) and must
   * work: the platform is asked with these credentials, and its refusal is a 400 with the platform's reason,
   * not a connection that fails hours later in a run.
   */
  private async verify(input: {
    platform: string;
    url: string;
    credentials: Record<string, string>;
    rateLimit?: RateBudget;
  }) {
    const platform = platformModule(input.platform);
    await this.egress.check(input.url);
    for (const value of Object.values(input.credentials)) rememberSecret(value);
    // Within the connection's shared budget: a run started right after this check finds its calls counted.
    const connector = platform.createConnector(
      { ...input },
      { concurrency: 1, limiter: this.budgets.limiterFor(input) },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SwitchyardError('PLATFORM_UNREACHABLE', `no answer within ${CHECK_TIMEOUT_MS / 1000} s`),
          ),
        CHECK_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([connector.check(), timeout]);
    } catch (error) {
      throw new SwitchyardError(
        'PLAN_INVALID',
        `${input.platform} at ${input.url} did not accept the connection: ${redact(errorMessage(error))}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async exists(id: string): Promise<boolean> {
    return (await this.dataSource.getRepository(ConnectionRow).countBy({ id })) > 0;
  }

  private async row(id: string): Promise<ConnectionRow> {
    const row = await this.dataSource.getRepository(ConnectionRow).findOneBy({ id });
    if (!row) throw new NotFound('connection', id);
    return row;
  }
}

function view(row: ConnectionRow): ConnectionView {
  return {
    id: row.id,
    name: row.name,
    platform: row.platform,
    url: row.url,
    settings: row.settings ?? {},
    createdAt: row.createdAt,
  };
}
