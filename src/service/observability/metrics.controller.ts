import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { LedgerRecordRow } from '../../ledger/ledger.entities';
import { ENTITY_QUEUE } from '../queue/queue.constants';
import { WorkerMetrics } from './worker-metrics';

/**
 * Prometheus metrics, computed at scrape time from the ledger (records by outcome), the workers' shared
 * Redis counters (platform calls, errors, rate-limit waits) and BullMQ (queue depth), so every machine's
 * work shows up on whichever API instance is scraped.
 */
@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  private readonly registry = new Registry();

  constructor(
    @Inject(DataSource) dataSource: DataSource,
    @Inject(WorkerMetrics) workerMetrics: WorkerMetrics,
    @InjectQueue(ENTITY_QUEUE) queue: Queue,
  ) {
    new Gauge({
      name: 'switchyard_records',
      help: 'Ledger records by entity and last outcome',
      labelNames: ['entity', 'outcome'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await dataSource
          .getRepository(LedgerRecordRow)
          .createQueryBuilder('r')
          .select('r.entity', 'entity')
          .addSelect('r.last_outcome', 'outcome')
          .addSelect('COUNT(*)', 'count')
          .groupBy('r.entity')
          .addGroupBy('r.last_outcome')
          .getRawMany<{ entity: string; outcome: string | null; count: string }>();
        for (const row of rows)
          this.set({ entity: row.entity, outcome: row.outcome ?? 'pending' }, Number(row.count));
      },
    });
    const counters = {
      api_calls: 'switchyard_platform_api_calls_total',
      api_errors: 'switchyard_platform_api_errors_total',
      rate_limit_waits: 'switchyard_rate_limit_waits_total',
    } as const;
    for (const [metric, name] of Object.entries(counters)) {
      new Gauge({
        name,
        help: `${metric.replace(/_/g, ' ')} made by all workers, by platform`,
        labelNames: ['platform'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const row of await workerMetrics.read())
            if (row.metric === metric) this.set({ platform: row.platform }, row.value);
        },
      });
    }
    new Gauge({
      name: 'switchyard_queue_jobs',
      help: 'Entity-run jobs in the queue by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'paused');
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
