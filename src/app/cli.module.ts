import { Module } from '@nestjs/common';
import { LedgerModule } from './ledger.module';
import { MigrationService } from './migration.service';

@Module({
  imports: [LedgerModule.forRoot({ applyMigrations: true })],
  providers: [MigrationService],
  exports: [MigrationService],
})
export class CliModule {}
