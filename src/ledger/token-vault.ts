import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { SwitchyardError } from '../common/errors';
import type { TokenVault } from '../connectors/connector.port';
import { CredentialCipher } from '../security/credential-cipher';
import { ledgerOptions, openLedgerDataSource } from './data-source';
import { PlatformTokenRow } from './ledger.entities';

/** Runs work for a key alone: in this process, or (service mode) across every process on the same Redis. */
export interface VaultLock {
  hold<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** One process's lock: work for the same key runs one after another. */
export class InProcessLock implements VaultLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.tails.set(key, next);
    return next;
  }
}

/**
 * Rotating secrets in the ledger's platform_token table, encrypted with AES-256-GCM. A renewal holds the
 * lock from reading the stored secret until the new one is written, so no two processes ever renew with the
 * same token.
 */
export class LedgerTokenVault implements TokenVault {
  constructor(
    private readonly dataSource: () => Promise<DataSource>,
    private readonly cipher: CredentialCipher,
    private readonly lock: VaultLock = new InProcessLock(),
  ) {}

  rotate(key: string, renew: (stored: string | undefined) => Promise<string>): Promise<string> {
    return this.lock.hold(key, async () => {
      const rows = (await this.dataSource()).getRepository(PlatformTokenRow);
      const row = await rows.findOneBy({ key });
      const stored = row ? this.cipher.decrypt(row.value).secret : undefined;
      const next = await renew(stored);
      if (next !== stored)
        await rows.save({
          key,
          value: this.cipher.encrypt({ secret: next }),
          updatedAt: new Date().toISOString(),
        });
      return next;
    });
  }
}

let processVault: TokenVault | undefined;

/**
 * Makes `vault` the one every connector of this process uses unless given another: service mode sets its
 * Redis-locked ledger vault at start, so the API (checking a connection, reconciling) and the workers renew
 * a token under the same lock.
 */
export function useTokenVault(vault: TokenVault): void {
  processVault = vault;
}

/**
 * The vault of a process that has none given (the CLI): the ledger DATABASE_URL names, opened on first use,
 * encrypted with SWITCHYARD_SECRET_KEY or, for an embedded SQLite ledger, a key kept beside it (mode 600).
 */
export function defaultTokenVault(): TokenVault {
  if (processVault) return processVault;
  const options = ledgerOptions();
  let opened: Promise<DataSource> | undefined;
  // Its own connection to the ledger, which must not keep a finished command alive (Postgres's idle pool).
  const own = options.type === 'postgres' ? { ...options, extra: { allowExitOnIdle: true } } : options;
  processVault = new LedgerTokenVault(
    () => (opened ??= openLedgerDataSource(own)),
    new CredentialCipher(
      process.env.SWITCHYARD_SECRET_KEY ??
        localKey(options.type === 'better-sqlite3' ? String(options.database) : undefined),
    ),
  );
  return processVault;
}

function localKey(database: string | undefined): string {
  if (database === ':memory:') return randomBytes(32).toString('hex');
  if (!database)
    throw new SwitchyardError(
      'PLAN_INVALID',
      'set SWITCHYARD_SECRET_KEY (64 hex characters): a platform that rotates its tokens keeps them encrypted in the ledger',
    );
  const path = resolve(dirname(database), 'secret.key');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}
