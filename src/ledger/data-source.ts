import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { InitialLedger1764000000000 } from '../../migrations/1764000000000-initial-ledger';
import { ServiceMode1764100000000 } from '../../migrations/1764100000000-service-mode';
import { ConnectionSettings1764200000000 } from '../../migrations/1764200000000-connection-settings';
import { CleaningRules1764300000000 } from '../../migrations/1764300000000-cleaning-rules';
import { AccessControl1764400000000 } from '../../migrations/1764400000000-access-control';
import { EntityLease1764500000000 } from '../../migrations/1764500000000-entity-lease';
import { WriteJournal1764600000000 } from '../../migrations/1764600000000-write-journal';
import { DeltaWatermarks1764700000000 } from '../../migrations/1764700000000-delta-watermarks';
import { Rollback1764800000000 } from '../../migrations/1764800000000-rollback';
import { Cutover1764900000000 } from '../../migrations/1764900000000-cutover';
import { PlatformTokens1765000000000 } from '../../migrations/1765000000000-platform-tokens';
import { JournalParts1765100000000 } from '../../migrations/1765100000000-journal-parts';
import { SwitchyardError } from '../common/errors';
import { LEDGER_ENTITIES } from './ledger.entities';

export const LEDGER_MIGRATIONS = [
  InitialLedger1764000000000,
  ServiceMode1764100000000,
  ConnectionSettings1764200000000,
  CleaningRules1764300000000,
  AccessControl1764400000000,
  EntityLease1764500000000,
  WriteJournal1764600000000,
  DeltaWatermarks1764700000000,
  Rollback1764800000000,
  Cutover1764900000000,
  PlatformTokens1765000000000,
  JournalParts1765100000000,
];
export const DEFAULT_SQLITE_PATH = '.switchyard/switchyard.db';

/**
 * `DATABASE_URL=postgres://…` → Postgres; `sqlite:<path>` → that SQLite file; unset → the embedded
 * default `.switchyard/switchyard.db` in the working directory.
 */
export function ledgerOptions(
  databaseUrl = process.env.DATABASE_URL,
  cwd = process.cwd(),
): DataSourceOptions {
  const common = {
    entities: LEDGER_ENTITIES,
    migrations: LEDGER_MIGRATIONS,
    migrationsRun: false,
    logging: false,
  } as const;
  if (!databaseUrl || databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl ? databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '') : DEFAULT_SQLITE_PATH;
    return {
      ...common,
      type: 'better-sqlite3',
      database: path === ':memory:' ? path : resolve(cwd, path),
      // WAL lets a reader (reports, a second CLI) look while a run writes.
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Checkpoint every 64 MB of WAL rather than every 4 MB: a page commit then rarely waits on an fsync.
        db.pragma('wal_autocheckpoint = 16384');
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return { ...common, type: 'postgres', url: databaseUrl };
  throw new SwitchyardError(
    'PLAN_INVALID',
    `DATABASE_URL must start with postgres:// or sqlite: (got "${databaseUrl.split(':')[0]}:…")`,
  );
}

/** Opens the ledger and brings its schema up to date, or (a worker) refuses to run on an outdated one. */
export async function openLedgerDataSource(
  options: DataSourceOptions,
  { applyMigrations = true } = {},
): Promise<DataSource> {
  if (options.type === 'better-sqlite3' && options.database !== ':memory:') {
    mkdirSync(dirname(options.database), { recursive: true });
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  if (applyMigrations) await dataSource.runMigrations({ transaction: 'each' });
  else if (await dataSource.showMigrations()) {
    await dataSource.destroy();
    throw new SwitchyardError(
      'LEDGER_STATE',
      'the ledger schema is not up to date; start the API first (npm start applies its migrations)',
    );
  }
  return dataSource;
}
