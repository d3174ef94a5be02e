import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SwitchyardError } from '../../common/errors';
import type { VaultLock } from '../../ledger/token-vault';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A lock every worker on every machine sees (SET NX PX, released only by its holder): how a rotating token is
 * renewed once for all of them. A holder that dies frees it when `ttlMs` passes.
 */
export class RedisVaultLock implements VaultLock {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs = 30_000,
    private readonly waitMs = 60_000,
  ) {}

  async hold<T>(key: string, work: () => Promise<T>): Promise<T> {
    const name = `switchyard:vault-lock:${key}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + this.waitMs;
    while ((await this.redis.set(name, token, 'PX', this.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline)
        throw new SwitchyardError(
          'PLATFORM_TEMPORARY',
          `another worker has held the token lock ${key} for over ${this.waitMs / 1000} s`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE, 1, name, token);
    }
  }
}
