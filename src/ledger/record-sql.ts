import type { LedgerRecordRow, WriteJournalRow } from './ledger.entities';
import { newRowId } from './row-id';

/** Anything that runs SQL: the data source, or a transaction's manager. */
export interface Sql {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

type Column<T> = [keyof T & string, string, 'json'?];

/** ledger_record's columns: the property each is read into, and JSON text where the row keeps an object. */
const RECORD: Column<LedgerRecordRow>[] = [
  ['id', 'id'],
  ['migrationId', 'migration_id'],
  ['entity', 'entity'],
  ['sourceId', 'source_id'],
  ['destinationId', 'destination_id'],
  ['status', 'status'],
  ['naturalKey', 'natural_key'],
  ['lastOutcome', 'last_outcome'],
  ['sourceHash', 'source_hash'],
  ['inboundMapping', 'inbound_mapping'],
  ['outboundMapping', 'outbound_mapping'],
  ['refs', 'refs', 'json'],
  ['extraFields', 'extra_fields', 'json'],
  ['attempts', 'attempts'],
  ['lastError', 'last_error'],
  ['lastRunId', 'last_run_id'],
  ['updatedAt', 'updated_at'],
];

const JOURNAL: Column<WriteJournalRow>[] = [
  ['id', 'id'],
  ['migrationId', 'migration_id'],
  ['runId', 'run_id'],
  ['entity', 'entity'],
  ['sourceId', 'source_id'],
  ['part', 'part'],
  ['object', 'object'],
  ['destinationId', 'destination_id'],
  ['action', 'action'],
  ['before', 'before', 'json'],
  ['after', 'after', 'json'],
  ['related', 'related', 'json'],
  ['link', 'link', 'json'],
  ['parts', 'parts', 'json'],
  ['at', 'at'],
];

/** Rows per statement: far under SQLite's 32,766 and Postgres's 65,535 bound parameters. */
const CHUNK = 500;
const SELECT_RECORD = RECORD.map(([property, column]) => `${column} AS "${property}"`).join(', ');

/** What a pending mark writes: a new record's row starts blank but for these. */
const PENDING = RECORD.filter(([property]) =>
  ['id', 'migrationId', 'entity', 'sourceId', 'status', 'attempts', 'lastRunId', 'updatedAt'].includes(
    property,
  ),
);

/**
 * The ledger's per-page work as a few set-based statements, written once for SQLite and Postgres (both speak
 * `INSERT … ON CONFLICT … DO UPDATE` and `excluded`): no ORM hydration, no read before a write. On Postgres a
 * page's rows travel as one JSON document (`json_populate_recordset`), so a statement's text, and the server's
 * cost of parsing it, stays the same whatever the page holds, and a row's JSON columns (a journal entry's
 * fields as written) go as they are, not escaped a second time into an array literal by the driver.
 */
export class RecordSql {
  /** Statement text by shape: a page's statements repeat the same few shapes, and building one costs per row. */
  private readonly texts = new Map<string, string>();

  constructor(private readonly postgres: boolean) {}

  private text(key: string, make: () => string): string {
    let text = this.texts.get(key);
    if (text === undefined) {
      text = make();
      if (this.texts.size >= 512) this.texts.clear();
      this.texts.set(key, text);
    }
    return text;
  }

  /** `?` for SQLite, `$n` for Postgres. */
  private list(count: number, from = 0): string {
    return this.text(`list ${count} ${from}`, () =>
      Array.from({ length: count }, (_, i) => (this.postgres ? `$${from + i + 1}` : '?')).join(', '),
    );
  }

  /** `column IN (…)` of these values, as parameters numbered after `from`. */
  private among(column: string, values: unknown[], from: number): { sql: string; parameters: unknown[] } {
    return this.postgres
      ? { sql: `${column} = ANY($${from + 1}::text[])`, parameters: [values] }
      : { sql: `${column} IN (${this.list(values.length, from)})`, parameters: values };
  }

  /** A row's values in `columns`' order (SQLite), or keyed by column name (Postgres): see `rowsOf`. */
  private row<T>(
    columns: Column<T>[],
    row: Partial<T>,
    fixed: Partial<T>,
  ): unknown[] | Record<string, unknown> {
    return this.postgres ? toRecord(columns, row, fixed) : toColumns(columns, row, fixed);
  }

  /** Rows to insert into `table`'s `columns`, as `VALUES (…), (…)` (SQLite) or one JSON document (Postgres). */
  private rowsOf(
    table: string,
    columns: string[],
    rows: (unknown[] | Record<string, unknown>)[],
  ): { sql: string; parameters: unknown[] } {
    if (!this.postgres)
      return {
        sql: this.text(`values ${columns.length} ${rows.length}`, () => {
          const row = `(${this.list(columns.length)})`;
          return `VALUES ${rows.map(() => row).join(', ')}`;
        }),
        parameters: flattened(rows as unknown[][]),
      };
    return {
      sql: this.text(
        `recordset ${table} ${columns.join(' ')}`,
        () => `SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $1::json)`,
      ),
      parameters: [JSON.stringify(rows)],
    };
  }

  async bySourceId(
    sql: Sql,
    migrationId: string,
    entity: string,
    sourceIds: string[],
  ): Promise<Map<string, LedgerRecordRow>> {
    const found = new Map<string, LedgerRecordRow>();
    for (let start = 0; start < sourceIds.length; start += CHUNK) {
      const ids = this.among('source_id', sourceIds.slice(start, start + CHUNK), 2);
      const rows: Record<string, unknown>[] = await sql.query(
        `SELECT ${SELECT_RECORD} FROM ledger_record WHERE migration_id = ${this.list(1)} AND entity = ${this.list(1, 1)} AND ${ids.sql}`,
        [migrationId, entity, ...ids.parameters],
      );
      for (const row of rows) found.set(row.sourceId as string, fromColumns(RECORD, row));
    }
    return found;
  }

  /**
   * Inserts new rows and overwrites existing ones (matched on migration, entity and source id; their id stays),
   * all stamped `updatedAt`.
   */
  async upsert(
    sql: Sql,
    rows: Omit<LedgerRecordRow, 'id' | 'updatedAt'>[],
    updatedAt: string,
  ): Promise<void> {
    const columns = RECORD.map(([, column]) => column);
    const updates = this.text('upsert set', () =>
      columns
        .filter((column) => column !== 'id')
        .map((column) => `${column} = excluded.${column}`)
        .join(', '),
    );
    for (let start = 0; start < rows.length; start += CHUNK) {
      const values = this.rowsOf(
        'ledger_record',
        columns,
        rows.slice(start, start + CHUNK).map((row) => this.row(RECORD, row, { id: newRowId(), updatedAt })),
      );
      await sql.query(
        `INSERT INTO ledger_record (${columns.join(', ')}) ${values.sql} ON CONFLICT (migration_id, entity, source_id) DO UPDATE SET ${updates}`,
        values.parameters,
      );
    }
  }

  /** Before a load: each record is pending (created blank when new), one more attempt, of this run. */
  async markPending(
    sql: Sql,
    ids: { migrationId: string; entity: string; runId: string },
    sourceIds: string[],
    at: string,
  ): Promise<void> {
    const columns = PENDING.map(([, column]) => column);
    const fixed = {
      migrationId: ids.migrationId,
      entity: ids.entity,
      status: 'pending',
      attempts: 1,
      lastRunId: ids.runId,
      updatedAt: at,
    } as const;
    for (let start = 0; start < sourceIds.length; start += CHUNK) {
      const values = this.rowsOf(
        'ledger_record',
        columns,
        sourceIds
          .slice(start, start + CHUNK)
          .map((sourceId) => this.row(PENDING, { id: newRowId(), sourceId }, fixed)),
      );
      await sql.query(
        `INSERT INTO ledger_record (${columns.join(', ')}) ${values.sql} ON CONFLICT (migration_id, entity, source_id) DO UPDATE SET status = excluded.status, attempts = ledger_record.attempts + 1, last_run_id = excluded.last_run_id, updated_at = excluded.updated_at`,
        values.parameters,
      );
    }
  }

  /** Records a run found unchanged: only their last run and outcome move, in one statement. */
  async touch(
    sql: Sql,
    ids: { migrationId: string; entity: string; runId: string },
    sourceIds: string[],
  ): Promise<void> {
    for (let start = 0; start < sourceIds.length; start += CHUNK) {
      const chunk = this.among('source_id', sourceIds.slice(start, start + CHUNK), 3);
      await sql.query(
        `UPDATE ledger_record SET last_outcome = 'unchanged', last_run_id = ${this.list(1)} WHERE migration_id = ${this.list(1, 1)} AND entity = ${this.list(1, 2)} AND ${chunk.sql}`,
        [ids.runId, ids.migrationId, ids.entity, ...chunk.parameters],
      );
    }
  }

  /** A page's journal entries, each given an id, with the migration, run, entity and time they share. */
  async journal(
    sql: Sql,
    page: Pick<WriteJournalRow, 'migrationId' | 'runId' | 'entity' | 'at'>,
    entries: JournalDraft[],
  ): Promise<void> {
    const columns = JOURNAL.map(([, column]) => column);
    for (let start = 0; start < entries.length; start += CHUNK) {
      const values = this.rowsOf(
        'write_journal',
        columns,
        entries
          .slice(start, start + CHUNK)
          .map((entry) => this.row(JOURNAL, entry, { id: newRowId(), ...page })),
      );
      await sql.query(`INSERT INTO write_journal (${columns.join(', ')}) ${values.sql}`, values.parameters);
    }
  }
}

/**
 * A journal entry as the pipeline makes it: what the page's entries share is added when it is written. Only a
 * record's entry has parts.
 */
export type JournalDraft = Omit<WriteJournalRow, 'id' | 'migrationId' | 'runId' | 'entity' | 'at' | 'parts'> &
  Partial<Pick<WriteJournalRow, 'parts'>>;

/** Rows' values one after another, as a statement's parameters (Array.prototype.flat is several times slower). */
function flattened(rows: unknown[][]): unknown[] {
  const out = new Array<unknown>(rows.length * (rows[0]?.length ?? 0));
  let at = 0;
  for (const row of rows) for (let i = 0; i < row.length; i++) out[at++] = row[i];
  return out;
}

/** A row's column values: from `fixed` where it has the property (values every row of a statement shares). */
function toColumns<T>(columns: Column<T>[], row: Partial<T>, fixed: Partial<T>): unknown[] {
  const out = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const [property, , json] = columns[i];
    const value = (property in fixed ? fixed[property as keyof T] : row[property as keyof T]) ?? null;
    out[i] = json && value !== null ? JSON.stringify(value) : value;
  }
  return out;
}

/**
 * A row keyed by column name, for `json_populate_recordset`: a JSON column's object travels as JSON and is
 * stored as its text, which is what `JSON.stringify` would have made; a string in one is stringified here, as
 * Postgres would store a JSON string's contents.
 */
function toRecord<T>(columns: Column<T>[], row: Partial<T>, fixed: Partial<T>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [property, column, json] of columns) {
    const value = (property in fixed ? fixed[property as keyof T] : row[property as keyof T]) ?? null;
    out[column] = json && typeof value === 'string' ? JSON.stringify(value) : value;
  }
  return out;
}

/**
 * A row as the driver answered it, its columns already named as properties (`SELECT column AS "property"`):
 * JSON columns parsed in place, nothing made anew.
 */
function fromColumns<T>(columns: Column<T>[], row: Record<string, unknown>): T {
  for (const [property, , json] of columns) {
    const value = row[property];
    if (value === undefined) row[property] = null;
    else if (json && typeof value === 'string') row[property] = JSON.parse(value);
  }
  return row as T;
}
