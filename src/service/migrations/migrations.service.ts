import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dependencyOrder } from '../../canonical/entities';
import { SwitchyardError } from '../../common/errors';
import type { TokenVault } from '../../connectors/connector.port';
import { prepareMigration, type PrepareOptions, type PreparedMigration } from '../../engine/migration.runner';
import { type MigrationDefinition, MigrationRow } from '../../ledger/ledger.entities';
import { loadMapping } from '../../mapping/mapping.loader';
import { type MigrationPlan, parsePlan, type PlanContent } from '../../plan/migration-plan';
import { NotFound } from '../api/not-found.error';
import { ConnectionsService } from '../connections/connections.service';
import { SharedBudgets } from '../rate-limit/shared-budgets';
import { TOKEN_VAULT } from '../shared.tokens';

/** The API's migration body: a plan (one schema with the CLI's) naming two stored connections. */
export type MigrationInput = PlanContent & { sourceConnectionId: string; destinationConnectionId: string };

/** The service reads no file a caller names: a custom mapping travels as its YAML (`content`). */
function refuseServerFiles(name: string, mappings: MigrationDefinition['mappings']): void {
  const named = Object.entries(mappings).filter(
    ([, choice]) => typeof choice === 'object' && choice.file !== undefined,
  );
  if (named.length > 0)
    throw new SwitchyardError(
      'PLAN_INVALID',
      `migration ${name} names mapping files on the server (${named.map(([key]) => key).join(', ')}), but the service reads no file a caller names: upload each mapping's YAML as content`,
    );
}

@Injectable()
export class MigrationsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConnectionsService) private readonly connections: ConnectionsService,
    @Inject(SharedBudgets) private readonly budgets: SharedBudgets,
    // Rotating platform tokens: in the ledger, renewed under a Redis lock so one process renews for all.
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
  ) {}

  async create(input: MigrationInput): Promise<{ id: string }> {
    const [source, destination] = await Promise.all([
      this.connections.get(input.sourceConnectionId),
      this.connections.get(input.destinationConnectionId),
    ]);
    if (await this.dataSource.getRepository(MigrationRow).countBy({ name: input.name })) {
      throw new SwitchyardError('PLAN_INVALID', `a migration named "${input.name}" exists already`);
    }
    refuseServerFiles(input.name, input.mappings);
    const definition: MigrationDefinition = {
      entities: dependencyOrder(input.entities),
      mappings: input.mappings,
      options: input.options,
      cleaning: input.cleaning,
      deletes: input.deletes,
    };
    // Validates exactly as the CLI does (credentials in memory only, to tell two accounts at one URL apart):
    // a plan that would fail later fails now, a destination that is its own source included.
    const [sourceAccount, destinationAccount] = await Promise.all([
      this.connections.open(source.id),
      this.connections.open(destination.id),
    ]);
    parsePlan(
      {
        name: input.name,
        source: { platform: source.platform, url: source.url, credentials: sourceAccount.credentials },
        destination: {
          platform: destination.platform,
          url: destination.url,
          credentials: destinationAccount.credentials,
        },
        ...definition,
      },
      process.cwd(),
    );
    // An uploaded mapping that does not compile is refused now, not when a worker first needs it.
    for (const [key, choice] of Object.entries(definition.mappings))
      if (typeof choice === 'object' && choice.content !== undefined) {
        const [platform, type] = key.split('.');
        loadMapping(platform, type, choice);
      }
    const row: MigrationRow = {
      id: randomUUID(),
      name: input.name,
      sourcePlatform: source.platform,
      destinationPlatform: destination.platform,
      sourceUrl: source.url,
      destinationUrl: destination.url,
      createdAt: new Date().toISOString(),
      sourceConnectionId: source.id,
      destinationConnectionId: destination.id,
      definition,
    };
    await this.dataSource.getRepository(MigrationRow).insert(row);
    return { id: row.id };
  }

  list(): Promise<MigrationRow[]> {
    return this.dataSource.getRepository(MigrationRow).find({ order: { createdAt: 'ASC' } });
  }

  async get(id: string): Promise<MigrationRow> {
    const row = await this.dataSource.getRepository(MigrationRow).findOneBy({ id });
    if (!row) throw new NotFound('migration', id);
    return row;
  }

  /**
   * The plan the engine runs, credentials decrypted in memory for this job only, each connection with the rate
   * limit it states.
   */
  async plan(migration: MigrationRow): Promise<MigrationPlan> {
    if (!migration.definition || !migration.sourceConnectionId || !migration.destinationConnectionId) {
      throw new SwitchyardError(
        'PLAN_INVALID',
        `migration ${migration.name} was made by the CLI; run it with switchyard migrate`,
      );
    }
    refuseServerFiles(migration.name, migration.definition.mappings);
    const [source, destination] = await Promise.all([
      this.connections.open(migration.sourceConnectionId),
      this.connections.open(migration.destinationConnectionId),
    ]);
    const connection = (opened: typeof source) => ({
      platform: opened.platform,
      url: opened.url,
      credentials: opened.credentials,
      ...(opened.settings.rateLimit ? { rateLimit: opened.settings.rateLimit } : {}),
    });
    return parsePlan(
      {
        name: migration.name,
        source: connection(source),
        destination: connection(destination),
        ...migration.definition,
      },
      process.cwd(),
    );
  }

  /**
   * How this service prepares a plan's connectors, in the API as in a worker: every call within its connection's
   * budget shared in Redis, rotating tokens in the shared vault.
   */
  get prepareOptions(): PrepareOptions {
    return { limiterFor: (connection) => this.budgets.limiterFor(connection), vault: this.vault };
  }

  /** The migration's plan, prepared with connectors (see prepareOptions). */
  async prepared(migration: MigrationRow): Promise<PreparedMigration> {
    return prepareMigration(await this.plan(migration), this.prepareOptions);
  }
}
