import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import { ApiTokenRow, type Role, ROLES } from '../../security/access.entities';
import { NotFound } from '../api/not-found.error';

/** Who a request is: the token's name and role. */
export interface Actor {
  name: string;
  role: Role;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Whether `role` may do what `needed` allows. */
export function allows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * API tokens. SWITCHYARD_ADMIN_TOKENS are the bootstrap admins (named env-admin-1, …); admins make more
 * tokens through the API, each with a role. Only SHA-256 hashes are kept, in memory and in the ledger, and
 * a token is found by its hash, so comparing never depends on how much of a guess was right.
 */
@Injectable()
export class TokensService {
  private readonly bootstrap: Map<string, Actor>;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.bootstrap = new Map(
      config.SWITCHYARD_ADMIN_TOKENS.map((token, index) => [
        hashToken(token),
        { name: `env-admin-${index + 1}`, role: 'admin' as const },
      ]),
    );
  }

  /** The actor behind `Authorization: Bearer <token>`, or null. */
  async authenticate(header: string | undefined): Promise<Actor | null> {
    const match = /^Bearer (\S{1,512})$/.exec(header ?? '');
    if (!match) return null;
    const hash = hashToken(match[1]);
    const known = this.bootstrap.get(hash);
    if (known) return known;
    const row = await this.dataSource.getRepository(ApiTokenRow).findOneBy({ tokenHash: hash });
    return row ? { name: row.name, role: row.role } : null;
  }

  async create(
    input: { name: string; role: Role },
    by: Actor,
  ): Promise<{ id: string; name: string; role: Role; token: string }> {
    const token = `sy_${randomBytes(24).toString('base64url')}`;
    const row: ApiTokenRow = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      tokenHash: hashToken(token),
      createdAt: new Date().toISOString(),
      createdBy: by.name,
    };
    await this.dataSource.getRepository(ApiTokenRow).insert(row);
    return { id: row.id, name: row.name, role: row.role, token };
  }

  async list(): Promise<Omit<ApiTokenRow, 'tokenHash'>[]> {
    const rows = await this.dataSource.getRepository(ApiTokenRow).find({ order: { createdAt: 'ASC' } });
    return rows.map(({ tokenHash: _hash, ...visible }) => visible);
  }

  async revoke(id: string): Promise<void> {
    const result = await this.dataSource.getRepository(ApiTokenRow).delete({ id });
    if (!result.affected) throw new NotFound('token', id);
  }
}
