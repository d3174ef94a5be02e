import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RateBudget, WrittenPart } from '../connectors/connector.port';
import type { PlanContent } from '../plan/migration-plan';
import { ApiTokenRow, AuditEventRow } from '../security/access.entities';

export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'interrupted'
  | 'completed'
  | 'completed_with_errors'
  | 'failed'
  | 'cancelled'
  /** Undone by a rollback run: it no longer counts for where a delta starts. */
  | 'rolled_back';
export type EntityRunStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'paused'
  | 'completed'
  | 'completed_with_errors'
  | 'failed'
  | 'cancelled';
/**
 * A full run reads every record; a delta run only those the source changed since the entity's high-water
 * mark (less an overlap); a retry run re-reads only the records a run quarantined or failed; a repair run
 * rewrites the records reconcile finds missing or different in the destination; a rollback run undoes the
 * writes of another run (`undoes`) from its journal.
 */
export type RunKind = 'full' | 'delta' | 'retry' | 'repair' | 'rollback';

/** What a service-mode migration moves and how; a CLI migration keeps this in its plan file. */
/** A service migration's plan, without its name and connections (stored in their own columns). */
export type MigrationDefinition = Omit<PlanContent, 'name'>;
/**
 * A ledger row's state: `pending` is written before a load so a crash mid-load is visible on resume;
 * `skipped` and `merged` are the plan's cleaning rules at work (a merged row points at its survivor's
 * destination record).
 */
export type RecordStatus = 'pending' | 'loaded' | 'quarantined' | 'failed' | 'skipped' | 'merged' | 'deleted';
/** Destination ids of a record's parts: a product's variants by SKU. */
export interface RecordRefs {
  variants?: Record<string, string>;
}

export type RecordOutcome =
  'created' | 'updated' | 'unchanged' | 'quarantined' | 'failed' | 'skipped' | 'merged' | 'deleted';

/** One migration: a named source → destination move. Credentials are never stored here. */
@Entity('migration')
export class MigrationRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Index({ unique: true }) @Column('varchar', { length: 200 }) name!: string;
  @Column('varchar', { length: 40, name: 'source_platform' }) sourcePlatform!: string;
  @Column('varchar', { length: 40, name: 'destination_platform' }) destinationPlatform!: string;
  @Column('varchar', { length: 400, name: 'source_url' }) sourceUrl!: string;
  @Column('varchar', { length: 400, name: 'destination_url' }) destinationUrl!: string;
  @Column('varchar', { length: 32, name: 'created_at' }) createdAt!: string;
  @Column('varchar', { length: 36, name: 'source_connection_id', nullable: true }) sourceConnectionId!:
    string | null;
  @Column('varchar', { length: 36, name: 'destination_connection_id', nullable: true })
  destinationConnectionId!: string | null;
  @Column('simple-json', { nullable: true }) definition!: MigrationDefinition | null;
}

/** A platform account. `credentials` holds AES-256-GCM ciphertext, never the secrets themselves. */
@Entity('connection')
export class ConnectionRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 200 }) name!: string;
  @Column('varchar', { length: 40 }) platform!: string;
  @Column('varchar', { length: 400 }) url!: string;
  @Column('text') credentials!: string;
  @Column('varchar', { length: 32, name: 'created_at' }) createdAt!: string;
  @Column('simple-json', { nullable: true }) settings!: ConnectionSettings | null;
}

export interface ConnectionSettings {
  /** The store's own rate budget (its plan's), instead of the platform's documented default. */
  rateLimit?: RateBudget;
}

@Entity('run')
export class RunRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Index() @Column('varchar', { length: 36, name: 'migration_id' }) migrationId!: string;
  @Column('varchar', { length: 24 }) status!: RunStatus;
  @Column('boolean', { name: 'dry_run', default: false }) dryRun!: boolean;
  @Column('simple-json') entities!: string[];
  @Column('varchar', { length: 32, name: 'started_at' }) startedAt!: string;
  @Column('varchar', { length: 32, name: 'finished_at', nullable: true }) finishedAt!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('varchar', { length: 16, default: 'full' }) kind!: RunKind;
  @Column('varchar', { length: 36, name: 'retry_of', nullable: true }) retryOf!: string | null;
  /** A rollback run: the run whose writes it undoes. */
  @Column('varchar', { length: 36, nullable: true }) undoes!: string | null;
}

/** Progress of one entity within a run; its checkpoint is written with the page's ledger rows. */
@Entity('run_entity')
export class RunEntityRow {
  @PrimaryColumn('varchar', { length: 36, name: 'run_id' }) runId!: string;
  @PrimaryColumn('varchar', { length: 40 }) entity!: string;
  @Column('varchar', { length: 24 }) status!: EntityRunStatus;
  @Column('text', { nullable: true }) checkpoint!: string | null;
  @Column('integer', { default: 0 }) extracted!: number;
  @Column('integer', { default: 0 }) created!: number;
  @Column('integer', { default: 0 }) updated!: number;
  @Column('integer', { default: 0 }) unchanged!: number;
  @Column('integer', { default: 0 }) quarantined!: number;
  @Column('integer', { default: 0 }) failed!: number;
  @Column('integer', { default: 0 }) skipped!: number;
  @Column('integer', { default: 0 }) merged!: number;
  /** Records deleted in the destination because the source deleted them (the plan's `deletes`). */
  @Column('integer', { default: 0 }) deleted!: number;
  @Column('varchar', { length: 32, name: 'started_at', nullable: true }) startedAt!: string | null;
  @Column('varchar', { length: 32, name: 'finished_at', nullable: true }) finishedAt!: string | null;
  /** The worker running this entity now (service mode), and until when its claim holds unless renewed. */
  @Column('varchar', { length: 120, name: 'lease_owner', nullable: true }) leaseOwner!: string | null;
  @Column('varchar', { length: 32, name: 'lease_until', nullable: true }) leaseUntil!: string | null;
  /** The latest modified time (ISO UTC) among the source records this run read: its candidate high-water mark. */
  @Column('varchar', { length: 32, name: 'high_water', nullable: true }) highWater!: string | null;
}

/**
 * Per migration and entity, the source's own modified time up to which a completed run has read: where the
 * next delta run starts (less its overlap). It moves only when a run completes.
 */
@Entity('watermark')
export class WatermarkRow {
  @PrimaryColumn('varchar', { length: 36, name: 'migration_id' }) migrationId!: string;
  @PrimaryColumn('varchar', { length: 40 }) entity!: string;
  @Column('varchar', { length: 32, name: 'high_water' }) highWater!: string;
  @Column('varchar', { length: 36, name: 'run_id' }) runId!: string;
  @Column('varchar', { length: 32, name: 'updated_at' }) updatedAt!: string;
}

/** The lineage of one source record: where it went, what produced it, and how it ended. */
@Entity('ledger_record')
@Index(['migrationId', 'entity', 'sourceId'], { unique: true })
@Index(['migrationId', 'entity', 'status'])
@Index(['migrationId', 'entity', 'naturalKey'])
export class LedgerRecordRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 36, name: 'migration_id' }) migrationId!: string;
  @Column('varchar', { length: 40 }) entity!: string;
  @Column('varchar', { length: 200, name: 'source_id' }) sourceId!: string;
  @Column('varchar', { length: 200, name: 'destination_id', nullable: true }) destinationId!: string | null;
  @Column('varchar', { length: 16 }) status!: RecordStatus;
  /** The value a plan's merge rule matches duplicates on (normalised), when the plan merges this entity. */
  @Column('varchar', { length: 300, name: 'natural_key', nullable: true }) naturalKey!: string | null;
  @Column('varchar', { length: 16, name: 'last_outcome', nullable: true }) lastOutcome!: RecordOutcome | null;
  @Column('varchar', { length: 64, name: 'source_hash', nullable: true }) sourceHash!: string | null;
  @Column('varchar', { length: 120, name: 'inbound_mapping', nullable: true }) inboundMapping!: string | null;
  @Column('varchar', { length: 120, name: 'outbound_mapping', nullable: true }) outboundMapping!:
    string | null;
  /** Destination ids of parts (variants by SKU) that other entities reference. */
  @Column('simple-json', { nullable: true }) refs!: RecordRefs | null;
  /** Source fields no mapping carried, kept visible rather than dropped unseen. */
  @Column('simple-json', { name: 'extra_fields', nullable: true }) extraFields!: string[] | null;
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('varchar', { length: 36, name: 'last_run_id', nullable: true }) lastRunId!: string | null;
  @Column('varchar', { length: 32, name: 'updated_at' }) updatedAt!: string;
}

/** What one write did in the destination: a record, or a child or link of one. */
export type JournalAction = 'created' | 'updated' | 'deleted' | 'archived' | 'linked' | 'unlinked';

/**
 * The journal of every destination write a run made: the record itself (`part: record`) with each child and
 * link it wrote (order lines, variants, line items, associations, contact roles, price-book entries) in `parts`,
 * with the destination id and, for an update, the fields it wrote as they were before. Rollback reads it.
 * Ledgers from before `parts` hold a row per child or link (`part` names it); `LedgerRepository.journal` lists
 * both alike, a row per write.
 */
@Entity('write_journal')
@Index(['migrationId', 'runId'])
@Index(['migrationId', 'entity', 'sourceId'])
export class WriteJournalRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 36, name: 'migration_id' }) migrationId!: string;
  @Column('varchar', { length: 36, name: 'run_id' }) runId!: string;
  @Column('varchar', { length: 40 }) entity!: string;
  /** The source record whose load made this write. */
  @Column('varchar', { length: 200, name: 'source_id' }) sourceId!: string;
  /** `record`, or the child or link written with it (`line`, `variant`, `association`, …). */
  @Column('varchar', { length: 40 }) part!: string;
  /** The destination's object type (`orders`, `line_items`, `OpportunityLineItem`). */
  @Column('varchar', { length: 60 }) object!: string;
  @Column('varchar', { length: 200, name: 'destination_id' }) destinationId!: string;
  @Column('varchar', { length: 16 }) action!: JournalAction;
  /** For an update: the fields it wrote, as the destination held them before. */
  @Column('simple-json', { nullable: true }) before!: Record<string, unknown> | null;
  /**
   * For a record created or updated: the fields as it wrote them. A rollback that finds the destination holding
   * neither these nor the before-image knows someone changed the record since, and keeps it.
   */
  @Column('simple-json', { nullable: true }) after!: Record<string, unknown> | null;
  /**
   * For a record written or deleted: the links and children its write asked for (the mapping's `links:` and
   * `children:`), so a rollback that creates it again makes it whole.
   */
  @Column('simple-json', { nullable: true }) related!: {
    links?: Record<string, string[]>;
    children?: Record<string, Record<string, unknown>[]>;
  } | null;
  /** For a link: its two ends and type. */
  @Column('simple-json', { nullable: true }) link!: { from: string; to: string; type?: string } | null;
  /** For a record's entry: the children and links its write made besides it, as the connector reported them. */
  @Column('simple-json', { nullable: true }) parts!: WrittenPart[] | null;
  /** When the write's page was committed: undoing a run goes by entity in reverse order, then by this. */
  @Column('varchar', { length: 32 }) at!: string;
}

/** How one step of a cutover went. */
export interface CutoverStepRecord {
  name: string;
  status: 'pending' | 'running' | 'waiting' | 'passed' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** What it found, in words: counts, the verdict, who confirmed. */
  outcome: string | null;
  /** The migration run it made, if any (what its rollback undoes). */
  runId: string | null;
}

/**
 * One cutover of a migration: the runbook's steps as they ran. `waiting`: for the operator's confirmation;
 * `stopped`: a step's criterion failed (its rollback is offered); `completed`: switched and watched.
 */
@Entity('cutover')
export class CutoverRow {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Index() @Column('varchar', { length: 36, name: 'migration_id' }) migrationId!: string;
  @Column('varchar', { length: 16 }) status!: 'running' | 'waiting' | 'stopped' | 'completed';
  @Column('simple-json') steps!: CutoverStepRecord[];
  @Column('varchar', { length: 32, name: 'started_at' }) startedAt!: string;
  @Column('varchar', { length: 32, name: 'updated_at' }) updatedAt!: string;
}

/** A secret a platform rotates, encrypted (CredentialCipher): the latest one is the only one that works. */
@Entity('platform_token')
export class PlatformTokenRow {
  @PrimaryColumn('varchar', { length: 200 }) key!: string;
  @Column('text') value!: string;
  @Column('varchar', { length: 32, name: 'updated_at' }) updatedAt!: string;
}

export const LEDGER_ENTITIES = [
  PlatformTokenRow,
  CutoverRow,
  WriteJournalRow,
  WatermarkRow,
  MigrationRow,
  ConnectionRow,
  RunRow,
  RunEntityRow,
  LedgerRecordRow,
  ApiTokenRow,
  AuditEventRow,
];
