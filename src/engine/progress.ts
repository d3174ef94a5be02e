import type { EntityName } from '../canonical/entities';
import type { EntityCounters } from '../ledger/ledger.repository';

/** What a front end (progress bars, SSE, logs) hears while a run works. */
export interface ProgressListener {
  entityStarted?(entity: EntityName, total: number | null, counters: EntityCounters): void;
  pageDone?(entity: EntityName, counters: EntityCounters): void;
  entityFinished?(entity: EntityName, counters: EntityCounters): void;
}
