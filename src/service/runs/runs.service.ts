import { Inject, Injectable } from '@nestjs/common';
import { dependencyOrder } from '../../canonical/entities';
import { SwitchyardError } from '../../common/errors';
import { rollbackRun, type RollbackResult } from '../../engine/rollback';
import { COUNTER_NAMES, LedgerRepository } from '../../ledger/ledger.repository';
import { NotFound } from '../api/not-found.error';
import { MigrationsService } from '../migrations/migrations.service';
import { RunScheduler } from './run-scheduler.service';
import { TERMINAL_RUN, type RunAction } from '../../ledger/run-states';
import { RunStore } from './run.store';

/** What the API can do with runs; workers do the work. */
@Injectable()
export class RunsService {
  constructor(
    @Inject(RunStore) private readonly runs: RunStore,
    @Inject(RunScheduler) private readonly scheduler: RunScheduler,
    @Inject(MigrationsService) private readonly migrations: MigrationsService,
    @Inject(LedgerRepository) private readonly ledger: LedgerRepository,
  ) {}

  async start(
    migrationId: string,
    request: { entities?: string[]; dryRun?: boolean; kind?: 'full' | 'delta' | 'repair' },
  ): Promise<{ runId: string }> {
    const migration = await this.migrations.get(migrationId);
    const defined = migration.definition?.entities ?? [];
    const requested = request.entities ?? defined;
    const unknown = requested.filter((entity) => !defined.includes(entity));
    if (unknown.length > 0)
      throw new SwitchyardError(
        'PLAN_INVALID',
        `entities ${unknown.join(', ')} are not part of migration ${migration.name}`,
      );
    await this.refuseIfActive(migrationId);
    const run = await this.runs.create(
      migrationId,
      dependencyOrder(requested),
      request.kind ?? 'full',
      null,
      request.dryRun ?? migration.definition?.options.dryRun === true,
    );
    await this.scheduler.advance(run.id);
    return { runId: run.id };
  }

  /** Re-runs only the records that are quarantined or failed now, e.g. after a mapping fix. */
  async retry(runId: string): Promise<{ runId: string }> {
    const run = await this.get(runId);
    if (!TERMINAL_RUN.includes(run.status))
      throw new SwitchyardError(
        'LEDGER_STATE',
        `run ${runId} is ${run.status}; retry it once it has finished`,
      );
    await this.refuseIfActive(run.migrationId);
    const entities = await this.runs.problemEntities(run.migrationId);
    if (entities.length === 0)
      throw new SwitchyardError(
        'LEDGER_STATE',
        'no record of this migration is quarantined or failed; there is nothing to retry',
      );
    const retry = await this.runs.create(run.migrationId, dependencyOrder(entities), 'retry', runId);
    await this.scheduler.advance(retry.id);
    return { runId: retry.id };
  }

  /**
   * Undoes a finished run in this process, as its own journaled run (GET /api/runs/:id shows it), and answers
   * with the report: reversed, kept and failed. Called again, it resumes an unfinished rollback.
   */
  async rollback(runId: string, options: { dryRun?: boolean; force?: boolean }): Promise<RollbackResult> {
    const run = await this.get(runId);
    await this.refuseIfActive(run.migrationId);
    const prepared = await this.migrations.prepared(await this.migrations.get(run.migrationId));
    return rollbackRun(prepared, this.ledger, runId, options);
  }

  async act(runId: string, action: Exclude<RunAction, 'start'>): Promise<{ runId: string; status: string }> {
    const run = await this.get(runId);
    if (!(await this.runs.transition(runId, action))) {
      throw new SwitchyardError('LEDGER_STATE', `cannot ${action} run ${runId}: it is ${run.status}`);
    }
    if (action === 'resume') {
      await this.runs.moveEntities(runId, ['paused'], 'pending');
      await this.scheduler.advance(runId);
    }
    if (action === 'cancel')
      await this.runs.moveEntities(runId, ['pending', 'queued', 'paused'], 'cancelled');
    return { runId, status: (await this.get(runId)).status };
  }

  async status(runId: string) {
    const run = await this.get(runId);
    const entities = await this.runs.entities(runId);
    return {
      runId: run.id,
      migrationId: run.migrationId,
      kind: run.kind,
      dryRun: run.dryRun,
      retryOf: run.retryOf,
      undoes: run.undoes,
      status: run.status,
      error: run.error,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      entities: Object.fromEntries(
        entities.map((state) => [
          state.entity,
          {
            status: state.status,
            ...Object.fromEntries(COUNTER_NAMES.map((name) => [name, state[name]])),
            checkpoint: state.checkpoint,
            startedAt: state.startedAt,
            finishedAt: state.finishedAt,
          },
        ]),
      ),
    };
  }

  async get(runId: string) {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFound('run', runId);
    return run;
  }

  /** A migration runs one thing at a time: a run on the workers, a rollback or a cutover step. */
  async refuseIfActive(migrationId: string): Promise<void> {
    const active = await this.runs.activeRun(migrationId);
    if (active)
      throw new SwitchyardError(
        'LEDGER_STATE',
        `run ${active.id} of this migration is ${active.status}; pause, resume or cancel it first`,
      );
  }
}
