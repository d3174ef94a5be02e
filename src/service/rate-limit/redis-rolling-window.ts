import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CallLimiter } from '../../connectors/connector.port';

/**
 * At most `max` calls in any rolling `windowMs`, shared by every worker through one sorted set in Redis (on
 * Redis's clock): the shape of HubSpot's ten-second limit. A token bucket of the same size would let twice the
 * allowance through in the first window (the full bucket, then its refill). The whole allowance may go at
 * once; after that a call waits for the oldest to leave. A call counts from when it is sent until `windowMs`
 * after it was settled (the platform counted it on arrival, before its answer): `settle` moves the oldest of
 * this process's calls still open to the settling time.
 */
const SCRIPT = `
local key = KEYS[1]
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local mode = ARGV[3]
local member = ARGV[4]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('PEXPIRE', key, window * 2 + 60000)
if mode == 'settle' then
  redis.call('ZADD', key, 'XX', now, member)
  return 0
end
-- A call settled exactly a window ago still counts (exclusive bound): a host counting to the millisecond may hold it.
redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - window))
if redis.call('ZCARD', key) < max then
  redis.call('ZADD', key, now, member)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
`;

export class RedisRollingWindow implements CallLimiter {
  /** This process's calls sent and not yet settled, oldest first. */
  private readonly open: string[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly max: number,
    private readonly windowMs: number,
    private readonly onWait?: (ms: number) => void,
  ) {}

  /** Each call is one of the window's calls, whatever `points` says. */
  async acquire(points: number): Promise<number> {
    const member = randomUUID();
    for (;;) {
      const wait = Number(
        await this.redis.eval(SCRIPT, 1, this.key, this.max, this.windowMs, 'take', member),
      );
      if (wait === 0) break;
      this.onWait?.(wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.open.push(member);
    return points;
  }

  async settle(_reserved?: number, _actual?: number | null): Promise<void> {
    const member = this.open.shift();
    if (member) await this.redis.eval(SCRIPT, 1, this.key, this.max, this.windowMs, 'settle', member);
  }
}
