import { Module } from '@nestjs/common';
import { LedgerModule } from './ledger.module';
import { MigrationService } from './migration.service';

@Module({ imports: [LedgerModule], providers: [MigrationService], exports: [MigrationService] })
export class CliModule {}
