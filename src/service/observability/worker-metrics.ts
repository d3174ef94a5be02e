import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ClientStats } from '../../connectors/connector.port';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import { REDIS } from '../shared.tokens';

export type MetricName = 'api_calls' | 'api_errors' | 'rate_limit_waits';

/**
 * Counters that workers on many machines add to, kept in one Redis hash that the API's /metrics
 * reads: `<metric>|<platform>` → count.
 */
@Injectable()
export class WorkerMetrics {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  get key(): string {
    return `${this.config.SWITCHYARD_QUEUE_PREFIX}:metrics`;
  }

  async add(metric: MetricName, platform: string, amount: number): Promise<void> {
    if (amount > 0) await this.redis.hincrby(this.key, `${metric}|${platform}`, amount);
  }

  /** Adds what a connector's client did since the last flush. */
  async flush(platform: string, stats: ClientStats, since: ClientStats): Promise<void> {
    await Promise.all([
      this.add('api_calls', platform, stats.calls - since.calls),
      this.add('api_errors', platform, stats.errors - since.errors),
      this.add('rate_limit_waits', platform, stats.throttleWaits - since.throttleWaits),
    ]);
    Object.assign(since, stats);
  }

  async read(): Promise<{ metric: MetricName; platform: string; value: number }[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.entries(all).map(([field, value]) => {
      const [metric, platform] = field.split('|');
      return { metric: metric as MetricName, platform, value: Number(value) };
    });
  }
}
