import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { type Queue, Worker } from 'bullmq';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import { ALIVE, RunScheduler } from '../runs/run-scheduler.service';
import { RunStore } from '../runs/run.store';
import { redisOptions } from '../redis-options';
import { ENTITY_QUEUE, entityJobId, type EntityJobData } from './queue.constants';
import { EntityRunProcessor } from './entity-run.processor';

/** How often the database is compared with the queue (more often when job locks are shorter). */
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
    @Inject(RunStore) private readonly runs: RunStore,
    @InjectQueue(ENTITY_QUEUE) private readonly queue: Queue<EntityJobData>,
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
      Math.min(SWEEP_MS, this.config.JOB_LOCK_MS),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    await this.worker?.close();
  }

  /**
   * Re-enqueues work the database says exists but the queue has lost: an entity claimed but never added (a
   * process died in between), or one whose job vanished with Redis's data while no live worker holds its
   * lease. The ledger is the truth; adding an existing job id is a no-op, and the lease keeps a job that
   * comes back twice from running twice.
   */
  private async sweep(): Promise<void> {
    const runs = await this.runs.activeRuns();
    const now = new Date().toISOString();
    for (const run of runs) {
      for (const state of await this.runs.entities(run.id)) {
        if (state.status !== 'queued' && state.status !== 'running') continue;
        const job = await this.queue.getJob(entityJobId(run.id, state.entity));
        const jobState = job ? await job.getState() : 'missing';
        if (ALIVE.includes(jobState)) continue;
        if (state.status === 'running' && state.leaseUntil && state.leaseUntil > now) continue;
        this.logger.warn(
          `re-enqueuing ${run.id}.${state.entity}: its job is ${jobState} while the run needs it`,
        );
        await this.scheduler.requeue(run.id, state.entity);
      }
      await this.scheduler.advance(run.id);
    }
  }
}
