import type { Redis } from 'ioredis';
import type { CallLimiter } from '../../connectors/connector.port';

/**
 * A token bucket in Redis, shared by every worker on every machine: `capacity` points, refilled at
 * `refillPerSecond`. This is the exact shape of Shopify's cost limit (1000 points, 50/s), which fixed-window
 * limiters cannot express: one query may cost 600 points. The script runs atomically on Redis's clock.
 *
 * `take` removes points if the bucket holds them and otherwise answers how long to wait; the points stay
 * "in flight" until settled. `settle` closes a reservation: it charges what the platform says the call cost,
 * gives the reservation back when it says nothing (a failed call, a reply without a cost), and where the
 * platform reports what its bucket holds, that report less the reservations other calls still have in flight
 * lowers the balance (a caller outside this budget, an estimate below the platform's charge).
 *
 * A report never raises the balance: replies settle in any order, so a report may predate calls the platform
 * has charged since and whose settlement is already in; taking it up would spend their points a second time.
 * In-flight points of a worker that died are forgotten once nothing has settled for `INFLIGHT_TTL_MS`.
 */
const INFLIGHT_TTL_MS = 30_000;

const SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local mode = ARGV[4]
local actual = tonumber(ARGV[5])
local reported = tonumber(ARGV[6])
local ttl = tonumber(ARGV[7])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at', 'inflight', 'moved')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
local inflight = tonumber(state[3]) or 0
local moved = tonumber(state[4]) or now
if now - moved > ttl then inflight = 0 end
tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
local wait = 0
if mode == 'take' then
  if tokens >= points then
    tokens = tokens - points
    inflight = inflight + points
    moved = now
  else
    wait = math.ceil((points - tokens) * 1000 / rate)
  end
else
  inflight = math.max(0, inflight - points)
  moved = now
  if actual >= 0 then tokens = tokens - (actual - points) else tokens = tokens + points end
  tokens = math.min(capacity, tokens)
  if reported >= 0 then tokens = math.min(tokens, reported - inflight) end
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now), 'inflight', tostring(inflight), 'moved', tostring(moved))
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

  async acquire(points: number): Promise<number> {
    const wanted = Math.min(points, this.capacity);
    for (;;) {
      const wait = await this.run(wanted, 'take');
      if (wait === 0) return wanted;
      this.onWait?.(wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async settle(reserved: number, actual: number | null, reportedAvailable?: number): Promise<void> {
    await this.run(reserved, 'settle', actual ?? -1, reportedAvailable ?? -1);
  }

  private async run(points: number, mode: 'take' | 'settle', actual = -1, reported = -1): Promise<number> {
    return Number(
      await this.redis.eval(
        SCRIPT,
        1,
        this.key,
        this.capacity,
        this.refillPerSecond,
        points,
        mode,
        actual,
        reported,
        INFLIGHT_TTL_MS,
      ),
    );
  }
}
