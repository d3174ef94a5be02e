import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { dependenciesOf, entityDefinition } from '../../canonical/entities';
import { canRetryHelp, errorMessage } from '../../common/errors';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';
import { driftOf, executeEntity, prepareReads, type PreparedMigration } from '../../engine/migration.runner';
import type { RunRow } from '../../ledger/ledger.entities';
import { LedgerRepository } from '../../ledger/ledger.repository';
import { MigrationsService } from '../migrations/migrations.service';
import { WorkerMetrics } from '../observability/worker-metrics';
import { DryRunStore } from '../runs/dry-run.store';
import { RunScheduler } from '../runs/run-scheduler.service';
import { RunStore } from '../runs/run.store';
import { REDIS } from '../shared.tokens';
import type { EntityJobData } from './queue.constants';

/** A run as a job holds it open: its migration, and its plan prepared with connectors. */
interface OpenRun {
  migration: { id: string };
  prepared: PreparedMigration;
}

/** This process; a lease is held by one of its jobs (a worker may run several at once). */
const WORKER_ID = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/**
 * One job = one entity of one run, from its checkpoint, on the same code path as the CLI. The job
 * re-reads the run before it starts and after every page: the ledger, not the queue, says whether there is
 * work. A job picked up again after its worker died continues from the last committed page.
 */
@Injectable()
export class EntityRunProcessor {
  constructor(
    @Inject(RunStore) private readonly runs: RunStore,
    @Inject(RunScheduler) private readonly scheduler: RunScheduler,
    @Inject(MigrationsService) private readonly migrations: MigrationsService,
    @Inject(LedgerRepository) private readonly ledger: LedgerRepository,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(DryRunStore) private readonly dryRuns: DryRunStore,
  ) {}

  /**
   * Runs the job's entity, then goes on with the next entity of the run that its end makes ready, where this
   * worker claims it first: on the same connectors, so what the source prepares ahead (Shopify's bulk exports)
   * is used, and nothing is prepared twice. That entity's own job is queued too, and finds the lease held.
   */
  async process(job: Job<EntityJobData>): Promise<void> {
    const { runId } = job.data;
    // This very job holds the leases: a copy of an entity's job in the same worker must not take it over.
    const owner = `${WORKER_ID}:${randomBytes(4).toString('hex')}`;
    let open: OpenRun | undefined;
    let entity: string | undefined = job.data.entity;
    let continued = false;
    while (entity) {
      const step = await this.runOne(job, owner, runId, entity, open, continued);
      ({ next: entity, open } = step);
      continued = true;
    }
  }

  private async runOne(
    job: Job<EntityJobData>,
    owner: string,
    runId: string,
    entity: string,
    opened: OpenRun | undefined,
    continued: boolean,
  ): Promise<{ next?: string; open?: OpenRun }> {
    const run = await this.runs.get(runId);
    // An entity taken on from the one before already has this job's lease: let it go when the run stopped.
    const stop = async () => (continued ? this.runs.releaseEntity(runId, entity, owner) : undefined);
    if (!run) return {};
    if (run.status === 'paused' || run.status === 'cancelled') {
      await this.runs.moveEntity(runId, entity, ['queued', 'running'], run.status);
      await stop();
      return {};
    }
    if (run.status !== 'running' && run.status !== 'queued') {
      await stop();
      return {};
    }
    // The database, not the queue, says who runs an entity: a job the queue handed out twice (its data lost,
    // or re-enqueued by a sweep) runs once; the other copy leaves it to the lease holder.
    const lease = this.config.JOB_LOCK_MS;
    if (!(await this.runs.claimEntity(runId, entity, owner, lease))) return {};
    const controller = new AbortController();
    const renew = setInterval(() => {
      this.runs.claimEntity(runId, entity, owner, lease).then(
        (held) => held || controller.abort(),
        () => controller.abort(),
      );
    }, lease / 3);
    try {
      const open = opened ?? (await this.open(run));
      const { migration, prepared } = open;
      // As the CLI does for a full read, so the source may start on every entity's read now: by the run's first
      // job only, once, in the run's order; a job on another worker takes over what it finds (preparedSince).
      if (!opened && run.kind === 'full' && (await this.firstToPrepare(runId)))
        await prepareReads(prepared, this.ledger, runId, { dryRun: run.dryRun, since: run.startedAt });
      const since = { source: { ...prepared.source.stats }, destination: { ...prepared.destination.stats } };
      const type = entityDefinition(entity).type;
      const dependencies = dependenciesOf(entity).map((name) => entityDefinition(name).type);
      const dryRun = run.dryRun ? await this.dryRuns.load(runId, dependencies) : undefined;
      const result = await executeEntity(
        prepared,
        this.ledger,
        { migrationId: migration.id, runId },
        entity,
        {
          signal: controller.signal,
          onlySourceIds: run.kind === 'retry' ? await this.runs.problemIds(migration.id, entity) : undefined,
          dryRun,
          delta: run.kind === 'delta',
          runStartedAt: run.startedAt,
          // Read when the entity's turn comes, after the entities before it were repaired (a customer written
          // anew has a new id its orders must now point at); an entity without drift reads nothing.
          repair:
            run.kind === 'repair'
              ? ((await driftOf(prepared, this.ledger)).get(entity) ?? {
                  sourceIds: [],
                  gone: new Set<string>(),
                })
              : undefined,
          afterPage: async () => {
            await this.metrics.flush(prepared.plan.source.platform, prepared.source.stats, since.source);
            await this.metrics.flush(
              prepared.plan.destination.platform,
              prepared.destination.stats,
              since.destination,
            );
            await job.updateProgress({ entity });
            if ((await this.runs.get(runId))?.status !== 'running') controller.abort();
          },
        },
      );
      if (result.status === 'interrupted') {
        // Stopped at a page boundary by pause or cancel; a resume that came in between puts it back in line.
        const current = (await this.runs.get(runId))?.status;
        const next = current === 'paused' || current === 'cancelled' ? current : 'pending';
        await this.runs.moveEntity(runId, entity, ['running'], next);
        if (next === 'pending') await this.scheduler.advance(runId);
        return {};
      }
      if (dryRun) await this.dryRuns.save(runId, type, dryRun);
      return { next: await this.scheduler.advance(runId, { owner, ms: lease }), open };
    } catch (error) {
      // A bad plan or mapping, refused credentials or a used-up daily quota end the job now: five tries
      // would only say the same thing five times. Outages get the queue's backoff.
      const hopeless = !canRetryHelp(error);
      if (continued && !hopeless) {
        // Taken on after another entity: its own job gets the queue's tries, not this one's.
        await this.handBack(runId, entity, owner);
        return {};
      }
      if (hopeless || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await this.runs.moveEntity(runId, entity, ['queued', 'running'], 'failed');
        await this.runs.finish(runId, 'failed', `${entity}: ${errorMessage(error)}`);
      }
      if (hopeless) throw new UnrecoverableError(errorMessage(error));
      throw error;
    } finally {
      clearInterval(renew);
      await this.runs.releaseEntity(runId, entity, owner);
    }
  }

  /** The run's migration and its connectors, prepared once for as long as this job goes on with the run. */
  private async open(run: RunRow): Promise<OpenRun> {
    const migration = await this.migrations.get(run.migrationId);
    return { migration, prepared: await this.migrations.prepared(migration) };
  }

  /** Whether this job is the run's first to prepare its reads: one job per run does, whichever worker it is on. */
  private async firstToPrepare(runId: string): Promise<boolean> {
    const key = `${this.config.SWITCHYARD_QUEUE_PREFIX}:reads-prepared:${runId}`;
    return (await this.redis.set(key, WORKER_ID, 'EX', 86_400, 'NX')) === 'OK';
  }

  /** An entity this job took on and could not finish goes back to the queue, as its own job. */
  private async handBack(runId: string, entity: string, owner: string): Promise<void> {
    await this.runs.releaseEntity(runId, entity, owner);
    await this.scheduler.requeue(runId, entity);
  }
}
