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
import { insertRun } from '../../ledger/ledger.repository';
import { ACTIVE_RUN, RUN_TRANSITIONS, type RunAction } from './run-states';

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
  async transition(runId: string, action: RunAction): Promise<boolean> {
    const { from, to } = RUN_TRANSITIONS[action];
    const terminal = to === 'cancelled' ? { finishedAt: now() } : {};
    const result = await this.dataSource
      .getRepository(RunRow)
      .update({ id: runId, status: In([...from]) }, { status: to, ...terminal });
    return (result.affected ?? 0) > 0;
  }

  async finish(runId: string, status: RunStatus, error: string | null = null): Promise<void> {
    await this.dataSource
      .getRepository(RunRow)
      .update({ id: runId, status: In(ACTIVE_RUN) }, { status, error, finishedAt: now() });
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
