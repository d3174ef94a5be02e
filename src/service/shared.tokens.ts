/** Injection token of the shared ioredis client (limiter buckets, worker metrics). */
export const REDIS = Symbol('REDIS');

/** Injection token of the process's TokenVault (rotating platform tokens in the ledger, under a Redis lock). */
export const TOKEN_VAULT = Symbol('TOKEN_VAULT');
