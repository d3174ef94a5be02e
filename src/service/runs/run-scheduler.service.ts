import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { dependenciesOf } from '../../canonical/entities';
import {
  ENTITY_JOB,
  ENTITY_JOB_OPTIONS,
  ENTITY_QUEUE,
  entityJobId,
  type EntityJobData,
} from '../queue/queue.constants';
import { FINISHED_ENTITY } from '../../ledger/run-states';
import { RunStore } from './run.store';

/** Job states in which a job will still run. */
export const ALIVE = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];

/**
 * Moves a run forward: enqueues each entity whose references have finished, and finishes the run when
 * every entity has. The database decides; a conditional update claims each entity before it is
 * enqueued, and the job id is deterministic, so two callers at once enqueue it once.
 */
@Injectable()
export class RunScheduler {
  constructor(
    @Inject(RunStore) private readonly runs: RunStore,
    @InjectQueue(ENTITY_QUEUE) private readonly queue: Queue<EntityJobData>,
  ) {}

  /**
   * `claim`: a worker that just finished an entity takes the lease of the first entity this makes ready, and
   * answers it, to go on with it on the connectors it has open; its job is enqueued all the same, so the entity
   * is not lost if that worker dies (the job's copy finds the lease held and leaves it to the holder).
   */
  async advance(runId: string, claim?: { owner: string; ms: number }): Promise<string | undefined> {
    const run = await this.runs.get(runId);
    if (!run || (run.status !== 'queued' && run.status !== 'running')) return undefined;
    const states = await this.runs.entities(runId);
    const finished = new Set(
      states.filter((state) => FINISHED_ENTITY.includes(state.status)).map((state) => state.entity),
    );
    if (states.every((state) => finished.has(state.entity))) {
      const withErrors = states.some((state) => state.status === 'completed_with_errors');
      await this.runs.finish(runId, withErrors ? 'completed_with_errors' : 'completed');
      return undefined;
    }
    let claimed: string | undefined;
    if (run.status === 'queued') await this.runs.transition(runId, 'start');
    for (const state of states) {
      if (state.status !== 'pending') continue;
      const dependencies = dependenciesOf(state.entity).filter((dependency) =>
        run.entities.includes(dependency),
      );
      if (!dependencies.every((dependency) => finished.has(dependency))) continue;
      if (!(await this.runs.moveEntity(runId, state.entity, ['pending'], 'queued'))) continue;
      if (claim && !claimed && (await this.runs.claimEntity(runId, state.entity, claim.owner, claim.ms)))
        claimed = state.entity;
      await this.enqueue(runId, state.entity);
    }
    return claimed;
  }

  /**
   * Puts an entity back in line as a job of its own: what the database says must run while no live job will
   * (a sweep's find, or an entity a worker took on and handed back). A finished copy of its job goes first.
   */
  async requeue(runId: string, entity: string): Promise<void> {
    const job = await this.queue.getJob(entityJobId(runId, entity));
    if (job && !ALIVE.includes(await job.getState())) await job.remove().catch(() => undefined);
    await this.runs.moveEntity(runId, entity, ['running'], 'queued');
    await this.enqueue(runId, entity);
  }

  /** Adds the entity's job; a no-op while a job with its id exists. */
  async enqueue(runId: string, entity: string): Promise<void> {
    await this.queue.add(
      ENTITY_JOB,
      { runId, entity },
      { ...ENTITY_JOB_OPTIONS, jobId: entityJobId(runId, entity) },
    );
  }
}
