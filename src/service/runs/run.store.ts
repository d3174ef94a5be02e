import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import {
  type EntityRunStatus,
  LedgerRecordRow,
  RunEntityRow,
  type RunKind,
  RunRow,
  type RunStatus,
} from '../../ledger/ledger.entities';
import { insertRun, transitionRun } from '../../ledger/ledger.repository';
import { ACTIVE_RUN, FINISHING, type RunAction } from '../../ledger/run-states';

const now = () => new Date().toISOString();

/** Run-level reads and writes for service mode. Every state change is a conditional update. */
@Injectable()
export class RunStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  get(runId: string): Promise<RunRow | null> {
    return this.dataSource.getRepository(RunRow).findOneBy({ id: runId });
  }

  entities(runId: string): Promise<RunEntityRow[]> {
    return this.dataSource.getRepository(RunEntityRow).find({ where: { runId }, order: { entity: 'ASC' } });
  }

  activeRun(migrationId: string): Promise<RunRow | null> {
    return this.dataSource.getRepository(RunRow).findOneBy({ migrationId, status: In(ACTIVE_RUN) });
  }

  create(
    migrationId: string,
    entities: string[],
    kind: RunKind,
    retryOf: string | null,
    dryRun = false,
  ): Promise<RunRow> {
    return this.dataSource.transaction((manager) =>
      insertRun(manager, { migrationId, entities, status: 'queued', dryRun, kind, retryOf }),
    );
  }

  /** Applies an action if the run is in a state that allows it; false when it is not. */
  transition(runId: string, action: RunAction, error: string | null = null): Promise<boolean> {
    return transitionRun(this.dataSource.manager, runId, action, error);
  }

  async finish(runId: string, status: RunStatus, error: string | null = null): Promise<void> {
    const action = FINISHING[status];
    if (!action) throw new Error(`no action ends a run as ${status}`);
    await this.transition(runId, action, error);
  }

  /** Moves an entity between states only from the expected ones: two workers cannot both claim it. */
  async moveEntity(
    runId: string,
    entity: string,
    from: EntityRunStatus[],
    to: EntityRunStatus,
  ): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(RunEntityRow)
      .update({ runId, entity, status: In(from) }, { status: to });
    return (result.affected ?? 0) > 0;
  }

  async moveEntities(runId: string, from: EntityRunStatus[], to: EntityRunStatus): Promise<void> {
    await this.dataSource.getRepository(RunEntityRow).update({ runId, status: In(from) }, { status: to });
  }

  /**
   * Claims an entity for one worker for `ms`: only when nobody holds it, its holder's claim has run out, or
   * it is this worker's already. Renewing is claiming again. Two workers never run one entity at once, even
   * when the queue has lost track of whose job it is.
   */
  async claimEntity(runId: string, entity: string, owner: string, ms: number): Promise<boolean> {
    const at = now();
    const result = await this.dataSource
      .getRepository(RunEntityRow)
      .createQueryBuilder()
      .update()
      .set({ leaseOwner: owner, leaseUntil: new Date(Date.now() + ms).toISOString() })
      .where('run_id = :runId AND entity = :entity', { runId, entity })
      .andWhere('(lease_until IS NULL OR lease_until < :at OR lease_owner = :owner)', { at, owner })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async releaseEntity(runId: string, entity: string, owner: string): Promise<void> {
    await this.dataSource
      .getRepository(RunEntityRow)
      .update({ runId, entity, leaseOwner: owner }, { leaseOwner: null, leaseUntil: null });
  }

  /** Runs that should be moving: queued or running. */
  async activeRuns(): Promise<RunRow[]> {
    return this.dataSource.getRepository(RunRow).findBy({ status: In(['queued', 'running']) });
  }

  /** The records a retry re-runs: every record of the entity that is quarantined or failed now. */
  async problemIds(migrationId: string, entity: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(LedgerRecordRow).find({
      select: { sourceId: true },
      where: { migrationId, entity, status: In(['quarantined', 'failed']) },
      order: { sourceId: 'ASC' },
    });
    return rows.map((row) => row.sourceId);
  }

  async problemEntities(migrationId: string): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(LedgerRecordRow)
      .createQueryBuilder('r')
      .select('DISTINCT r.entity', 'entity')
      .where('r.migration_id = :migrationId AND r.status IN (:...statuses)', {
        migrationId,
        statuses: ['quarantined', 'failed'],
      })
      .getRawMany<{ entity: string }>();
    return rows.map((row) => row.entity);
  }
}
