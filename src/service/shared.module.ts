import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { LedgerModule } from '../app/ledger.module';
import { loadServiceConfig, SERVICE_CONFIG, type ServiceConfig } from '../config/app-config';
import { CredentialCipher } from '../security/credential-cipher';
import { EgressPolicy } from '../security/egress-policy';
import { ConnectionsService } from './connections/connections.service';
import { MigrationsService } from './migrations/migrations.service';
import { WorkerMetrics } from './observability/worker-metrics';
import { ENTITY_QUEUE } from './queue/queue.constants';
import { redisOptions } from './redis-options';
import { DryRunStore } from './runs/dry-run.store';
import { RunScheduler } from './runs/run-scheduler.service';
import { RunStore } from './runs/run.store';
import { REDIS, TOKEN_VAULT } from './shared.tokens';
import { DataSource } from 'typeorm';
import { LedgerTokenVault, useTokenVault } from '../ledger/token-vault';
import { RedisVaultLock } from './rate-limit/redis-vault-lock';
import { SharedBudgets } from './rate-limit/shared-budgets';

const config = loadServiceConfig();

/** The services both processes use, provided and exported alike. */
const SERVICES = [
  RunStore,
  RunScheduler,
  ConnectionsService,
  MigrationsService,
  WorkerMetrics,
  DryRunStore,
  SharedBudgets,
];

const SHARED = {
  imports: [
    BullModule.forRoot({
      connection: redisOptions(config.REDIS_URL),
      prefix: config.SWITCHYARD_QUEUE_PREFIX,
    }),
    BullModule.registerQueue({ name: ENTITY_QUEUE }),
  ],
  providers: [
    { provide: SERVICE_CONFIG, useValue: config },
    {
      provide: CredentialCipher,
      useFactory: (c: ServiceConfig) => new CredentialCipher(c.SWITCHYARD_SECRET_KEY),
      inject: [SERVICE_CONFIG],
    },
    {
      provide: EgressPolicy,
      useFactory: (c: ServiceConfig) => new EgressPolicy(c.SWITCHYARD_ALLOWED_HOSTS),
      inject: [SERVICE_CONFIG],
    },
    {
      provide: REDIS,
      useFactory: (c: ServiceConfig) => new IORedis(redisOptions(c.REDIS_URL)),
      inject: [SERVICE_CONFIG],
    },
    {
      // Rotating platform tokens (Exact Online's): in the ledger, renewed under a Redis lock, for every
      // connector in this process, API and worker alike.
      provide: TOKEN_VAULT,
      useFactory: (dataSource: DataSource, cipher: CredentialCipher, redis: Redis) => {
        const vault = new LedgerTokenVault(
          () => Promise.resolve(dataSource),
          cipher,
          new RedisVaultLock(redis),
        );
        useTokenVault(vault);
        return vault;
      },
      inject: [DataSource, CredentialCipher, REDIS],
    },
    ...SERVICES,
  ],
  exports: [
    LedgerModule,
    BullModule,
    SERVICE_CONFIG,
    CredentialCipher,
    EgressPolicy,
    REDIS,
    TOKEN_VAULT,
    ...SERVICES,
  ],
};

/**
 * What the API and the workers both need: validated config, the Postgres ledger, Redis, the queue,
 * and the services that read and move runs. Only the worker module adds a consumer.
 */
@Module({})
export class SharedServiceModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** The API applies pending schema migrations; workers only check that none are pending. */
  static forRoot(options: { applyMigrations: boolean }): DynamicModule {
    return {
      global: true,
      module: SharedServiceModule,
      imports: [LedgerModule.forRoot(options), ...SHARED.imports],
      providers: SHARED.providers,
      exports: SHARED.exports,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit();
  }
}
