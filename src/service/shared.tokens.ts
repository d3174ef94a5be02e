/** Injection token of the shared ioredis client (limiter buckets, worker metrics). */
export const REDIS = Symbol('REDIS');
