import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import { DryRun, type Prediction } from '../../engine/dry-run';
import { REDIS } from '../shared.tokens';

const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * A dry run in service mode spans jobs on many workers: orders are predicted after customers, maybe
 * elsewhere. What an entity's job expects to load, and its per-record predictions, are kept in Redis
 * for a week under the run, so the next entity's job and the API can read them.
 */
@Injectable()
export class DryRunStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** A dry run that already knows what the finished entities of types `types` expect to load. */
  async load(runId: string, types: string[]): Promise<DryRun> {
    const dryRun = new DryRun();
    for (const type of types)
      dryRun.expected.set(type, new Set(await this.redis.smembers(this.key(runId, `expected:${type}`))));
    return dryRun;
  }

  /** Called once an entity's dry run has finished. */
  async save(runId: string, type: string, dryRun: DryRun): Promise<void> {
    const expected = [...(dryRun.expected.get(type) ?? [])];
    const pipeline = this.redis.multi();
    if (expected.length > 0)
      pipeline
        .sadd(this.key(runId, `expected:${type}`), ...expected)
        .expire(this.key(runId, `expected:${type}`), KEEP_SECONDS);
    const records = dryRun.predictions.map((prediction) => JSON.stringify(prediction));
    if (records.length > 0)
      pipeline.rpush(this.key(runId, 'records'), ...records).expire(this.key(runId, 'records'), KEEP_SECONDS);
    await pipeline.exec();
  }

  async predictions(
    runId: string,
    offset: number,
    limit: number,
  ): Promise<{ total: number; records: Prediction[] }> {
    const key = this.key(runId, 'records');
    const [total, rows] = await Promise.all([
      this.redis.llen(key),
      this.redis.lrange(key, offset, offset + limit - 1),
    ]);
    return { total, records: rows.map((row) => JSON.parse(row) as Prediction) };
  }

  private key(runId: string, part: string): string {
    return `${this.config.SWITCHYARD_QUEUE_PREFIX}:dryrun:${runId}:${part}`;
  }
}
