import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import type { CallLimiter, RateBudget } from '../../connectors/connector.port';
import { platformModule } from '../../connectors/connector.registry';
import { WorkerMetrics } from '../observability/worker-metrics';
import { REDIS } from '../shared.tokens';
import { RedisRollingWindow } from './redis-rolling-window';
import { RedisTokenBucket } from './redis-token-bucket';

/**
 * One budget per connection, in Redis, for every call the service makes to a platform: the API's checks of a
 * connection as much as the workers' runs. A call made outside it is one the platform counts and the workers do
 * not, and the run that starts right after a connection is checked meets the platform's 429 in its first burst.
 */
@Injectable()
export class SharedBudgets {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
  ) {}

  /** The connection's stated limit, else the platform's documented budget; none when the platform has neither. */
  limiterFor(connection: { platform: string; url: string; rateLimit?: RateBudget }): CallLimiter | undefined {
    const budget = connection.rateLimit ?? platformModule(connection.platform).rateBudget;
    if (!budget) return undefined;
    const key = `${this.config.SWITCHYARD_QUEUE_PREFIX}:budget:${connection.platform}:${connection.url}`;
    const waited = () => void this.metrics.add('rate_limit_waits', connection.platform, 1);
    return budget.windowMs !== undefined
      ? new RedisRollingWindow(this.redis, key, budget.capacity, budget.windowMs, waited)
      : new RedisTokenBucket(this.redis, key, budget.capacity, budget.refillPerSecond, waited);
  }
}
