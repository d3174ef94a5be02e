import { Inject, Injectable } from '@nestjs/common';
import { LedgerRepository } from '../ledger/ledger.repository';
import {
  runMigration,
  type PreparedMigration,
  type RunOptions,
  type RunResult,
} from '../engine/migration.runner';

/** The one way a migration runs, whatever starts it (CLI now, API workers later). */
@Injectable()
export class MigrationService {
  constructor(@Inject(LedgerRepository) private readonly ledger: LedgerRepository) {}

  run(prepared: PreparedMigration, options: RunOptions = {}): Promise<RunResult> {
    return runMigration(prepared, this.ledger, options);
  }
}
