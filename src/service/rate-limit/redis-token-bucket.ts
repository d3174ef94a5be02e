import type { Redis } from 'ioredis';
import type { CallLimiter } from '../../connectors/connector.port';

/**
 * A token bucket in Redis, shared by every worker on every machine: `capacity` points, refilled at
 * `refillPerSecond`. This is the exact shape of Shopify's cost limit (1000 points, 50/s), which fixed-window
 * limiters cannot express: one query may cost 600 points. The script runs atomically on Redis's clock.
 */
const TAKE = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= wanted then
  tokens = tokens - wanted
else
  wait = math.ceil((wanted - tokens) * 1000 / rate)
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 60000)
return wait
`;

/**
 * Applies a correction; the balance may go below zero, and then later callers wait until it is repaid.
 * A balance above what the platform reports (it debits on arrival, we on departure) is lowered to it.
 */
const SETTLE = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local delta = tonumber(ARGV[3])
local reported = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate / 1000) - delta
if reported >= 0 then tokens = math.min(tokens, reported) end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
return 0
`;

export class RedisTokenBucket implements CallLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly onWait?: (ms: number) => void,
  ) {}

  async settle(delta: number, reportedAvailable?: number): Promise<void> {
    if (delta === 0 && reportedAvailable === undefined) return;
    await this.redis.eval(
      SETTLE,
      1,
      this.key,
      this.capacity,
      this.refillPerSecond,
      delta,
      reportedAvailable ?? -1,
    );
  }

  async acquire(points: number): Promise<void> {
    const wanted = Math.min(points, this.capacity);
    for (;;) {
      const wait = Number(
        await this.redis.eval(TAKE, 1, this.key, this.capacity, this.refillPerSecond, wanted),
      );
      if (wait === 0) return;
      this.onWait?.(wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
