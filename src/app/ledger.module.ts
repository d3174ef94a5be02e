import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ledgerOptions, openLedgerDataSource } from '../ledger/data-source';
import { LedgerRepository } from '../ledger/ledger.repository';

/** Opens the ledger chosen by DATABASE_URL (migrations applied) and closes it with the application. */
@Module({
  providers: [
    { provide: DataSource, useFactory: () => openLedgerDataSource(ledgerOptions()) },
    {
      provide: LedgerRepository,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new LedgerRepository(dataSource),
    },
  ],
  exports: [DataSource, LedgerRepository],
})
export class LedgerModule implements OnModuleDestroy {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onModuleDestroy(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
