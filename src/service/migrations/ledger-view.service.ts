import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LedgerRecordRow } from '../../ledger/ledger.entities';

export interface LedgerFilter {
  entity?: string;
  status?: string;
  sourceId?: string;
  cursor?: string;
  limit: number;
}

/** Paged lineage rows of one migration, ordered by (entity, source id); the cursor is the last row's pair. */
@Injectable()
export class LedgerViewService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async page(migrationId: string, filter: LedgerFilter) {
    const query = this.dataSource
      .getRepository(LedgerRecordRow)
      .createQueryBuilder('r')
      .where('r.migration_id = :migrationId', { migrationId })
      .orderBy('r.entity', 'ASC')
      .addOrderBy('r.source_id', 'ASC')
      .limit(filter.limit + 1);
    if (filter.entity) query.andWhere('r.entity = :entity', { entity: filter.entity });
    if (filter.status) query.andWhere('r.status = :status', { status: filter.status });
    if (filter.sourceId) query.andWhere('r.source_id = :sourceId', { sourceId: filter.sourceId });
    if (filter.cursor) {
      const [entity, sourceId] = JSON.parse(Buffer.from(filter.cursor, 'base64url').toString('utf8')) as [
        string,
        string,
      ];
      query.andWhere('(r.entity > :ce OR (r.entity = :ce AND r.source_id > :cs))', {
        ce: entity,
        cs: sourceId,
      });
    }
    const rows = await query.getMany();
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      rows: page.map((row) => ({
        entity: row.entity,
        sourceId: row.sourceId,
        destinationId: row.destinationId,
        status: row.status,
        outcome: row.lastOutcome,
        inboundMapping: row.inboundMapping,
        outboundMapping: row.outboundMapping,
        attempts: row.attempts,
        lastError: row.lastError,
        lastRunId: row.lastRunId,
        updatedAt: row.updatedAt,
      })),
      nextCursor:
        rows.length > filter.limit && last
          ? Buffer.from(JSON.stringify([last.entity, last.sourceId])).toString('base64url')
          : null,
    };
  }
}
