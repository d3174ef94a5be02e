import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { platformModule } from '../../connectors/connector.registry';
import { ConnectionRow, type ConnectionSettings } from '../../ledger/ledger.entities';
import { CredentialCipher } from '../../security/credential-cipher';
import { NotFound } from '../api/not-found.error';

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
  ) {}

  async create(input: {
    name: string;
    platform: string;
    url: string;
    credentials: Record<string, string>;
    rateLimit?: ConnectionSettings['rateLimit'];
  }): Promise<{ id: string }> {
    platformModule(input.platform);
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
    return { id: row.id };
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
