import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ledgerOptions, openLedgerDataSource } from '../../src/ledger/data-source';
import { LedgerRepository } from '../../src/ledger/ledger.repository';
import { LedgerTokenVault } from '../../src/ledger/token-vault';
import { CredentialCipher } from '../../src/security/credential-cipher';
import { POSTGRES_ADMIN_URL } from '../../src/testing/service-harness';

export { POSTGRES_ADMIN_URL } from '../../src/testing/service-harness';

export interface TestLedger {
  url: string;
  dataSource: DataSource;
  ledger: LedgerRepository;
  /** Rotating platform tokens kept in this ledger (Exact Online's refresh token). */
  vault: LedgerTokenVault;
  close(): Promise<void>;
}

function vaultIn(dataSource: DataSource): LedgerTokenVault {
  return new LedgerTokenVault(
    () => Promise.resolve(dataSource),
    new CredentialCipher(randomBytes(32).toString('hex')),
  );
}

/** A fresh SQLite file. */
export async function sqliteLedger(): Promise<TestLedger> {
  const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'switchyard-test-')), 'ledger.db')}`;
  const dataSource = await openLedgerDataSource(ledgerOptions(url));
  return {
    url,
    dataSource,
    ledger: new LedgerRepository(dataSource),
    vault: vaultIn(dataSource),
    close: () => dataSource.destroy(),
  };
}

/** A fresh database on the local Postgres, dropped afterwards. */
export async function postgresLedger(): Promise<TestLedger> {
  const name = `switchyard_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const dataSource = await openLedgerDataSource(ledgerOptions(url.toString()));
  return {
    url: url.toString(),
    dataSource,
    ledger: new LedgerRepository(dataSource),
    vault: vaultIn(dataSource),
    close: async () => {
      await dataSource.destroy();
      const cleanup = new Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name}`);
      await cleanup.end();
    },
  };
}

export const LEDGERS: [string, () => Promise<TestLedger>][] = [
  ['sqlite', sqliteLedger],
  ['postgres', postgresLedger],
];
