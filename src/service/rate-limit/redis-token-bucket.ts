import type { Redis } from 'ioredis';
import type { CallLimiter } from '../../connectors/connector.port';

/**
 * A token bucket in Redis, shared by every worker on every machine: `capacity` points, refilled at
 * `refillPerSecond`. This is the exact shape of Shopify's cost limit (1000 points, 50/s), which fixed-window
 * limiters cannot express: one query may cost 600 points. The script runs atomically on Redis's clock.
 *
 * `take` removes points if the bucket holds them and otherwise answers how long to wait. `settle` applies a
 * correction once the platform has said what a call cost: the balance may go below zero (later callers wait
 * until it is repaid), and a balance above what the platform reports as available is lowered to it (it
 * debits when a request arrives, we when it leaves).
 */
const SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local mode = ARGV[4]
local reported = tonumber(ARGV[5])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
local wait = 0
if mode == 'take' then
  if tokens >= points then tokens = tokens - points else wait = math.ceil((points - tokens) * 1000 / rate) end
else
  tokens = tokens - points
  if reported >= 0 then tokens = math.min(tokens, reported) end
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 60000)
return wait
`;

export class RedisTokenBucket implements CallLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly onWait?: (ms: number) => void,
  ) {}

  async acquire(points: number): Promise<void> {
    const wanted = Math.min(points, this.capacity);
    for (;;) {
      const wait = await this.run(wanted, 'take', -1);
      if (wait === 0) return;
      this.onWait?.(wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async settle(delta: number, reportedAvailable?: number): Promise<void> {
    if (delta === 0 && reportedAvailable === undefined) return;
    await this.run(delta, 'settle', reportedAvailable ?? -1);
  }

  private async run(points: number, mode: 'take' | 'settle', reported: number): Promise<number> {
    return Number(
      await this.redis.eval(SCRIPT, 1, this.key, this.capacity, this.refillPerSecond, points, mode, reported),
    );
  }
}
