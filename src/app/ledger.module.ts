import { type DynamicModule, Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ledgerOptions, openLedgerDataSource } from '../ledger/data-source';
import { LedgerRepository } from '../ledger/ledger.repository';

/**
 * Opens the ledger chosen by DATABASE_URL and closes it with the application. The CLI and the API apply
 * pending schema migrations; workers only check that none are pending, so that many workers starting
 * at once never race each other over the schema.
 */
@Module({})
export class LedgerModule implements OnModuleDestroy {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(options: { applyMigrations: boolean }): DynamicModule {
    return {
      module: LedgerModule,
      providers: [
        { provide: DataSource, useFactory: () => openLedgerDataSource(ledgerOptions(), options) },
        {
          provide: LedgerRepository,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new LedgerRepository(dataSource),
        },
      ],
      exports: [DataSource, LedgerRepository],
    };
  }

  async onModuleDestroy(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
