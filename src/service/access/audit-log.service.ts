import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { AuditEventRow } from '../../security/access.entities';

export type AuditEvent = Omit<AuditEventRow, 'id' | 'at'>;

/** Every action on the API, and every refused sign-in: who, what, when, from where, and how it ended. */
@Injectable()
export class AuditLogService {
  private readonly logger = new Logger('audit');

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async record(event: AuditEvent): Promise<void> {
    const row: AuditEventRow = { id: randomUUID(), at: new Date().toISOString(), ...event };
    try {
      await this.dataSource.getRepository(AuditEventRow).insert(row);
    } catch (error) {
      // The action has happened; a log that cannot be written is said out loud, not silently dropped.
      this.logger.error(`cannot write the audit event ${JSON.stringify(row)}: ${(error as Error).message}`);
    }
  }

  /** Newest first; `before` (an `at` from the previous page) pages back. */
  list(query: { limit: number; before?: string }): Promise<AuditEventRow[]> {
    return this.dataSource.getRepository(AuditEventRow).find({
      where: query.before ? { at: LessThan(query.before) } : {},
      order: { at: 'DESC' },
      take: query.limit,
    });
  }
}
