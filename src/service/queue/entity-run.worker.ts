import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Worker } from 'bullmq';
import { DataSource, In } from 'typeorm';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import { RunEntityRow, RunRow } from '../../ledger/ledger.entities';
import { RunScheduler } from '../runs/run-scheduler.service';
import { redisOptions } from '../redis-options';
import { ENTITY_QUEUE, type EntityJobData } from './queue.constants';
import { EntityRunProcessor } from './entity-run.processor';

const SWEEP_MS = 15_000;

/**
 * The BullMQ consumer: started only in worker processes. Its lock is renewed while a job runs; when a
 * worker dies the lock lapses and BullMQ's stalled-job check hands the job to another worker.
 */
@Injectable()
export class EntityRunWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('worker');
  private worker?: Worker<EntityJobData>;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(EntityRunProcessor) private readonly processor: EntityRunProcessor,
    @Inject(RunScheduler) private readonly scheduler: RunScheduler,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<EntityJobData>(ENTITY_QUEUE, (job) => this.processor.process(job), {
      connection: redisOptions(this.config.REDIS_URL),
      prefix: this.config.SWITCHYARD_QUEUE_PREFIX,
      concurrency: this.config.WORKER_CONCURRENCY,
      lockDuration: this.config.JOB_LOCK_MS,
      stalledInterval: this.config.JOB_LOCK_MS,
      maxStalledCount: 10,
    });
    this.worker.on('active', (job) =>
      this.logger.log(`job ${job.id ?? '?'} taken (attempt ${job.attemptsMade + 1})`),
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn(`job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? 0}): ${error.message}`),
    );
    this.worker.on('error', (error) => this.logger.error(`queue connection: ${error.message}`));
    this.sweeper = setInterval(
      () => void this.sweep().catch((error: Error) => this.logger.warn(`sweep: ${error.message}`)),
      SWEEP_MS,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.worker?.close();
  }

  /**
   * Re-enqueues work the database says exists but the queue may have lost (a process that died between
   * claiming an entity and adding its job). Adding an existing job id is a no-op.
   */
  private async sweep(): Promise<void> {
    const runs = await this.dataSource.getRepository(RunRow).findBy({ status: In(['queued', 'running']) });
    for (const run of runs) {
      const queued = await this.dataSource
        .getRepository(RunEntityRow)
        .findBy({ runId: run.id, status: 'queued' });
      for (const state of queued) await this.scheduler.enqueue(run.id, state.entity);
      await this.scheduler.advance(run.id);
    }
  }
}
