import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The ledger's first schema. Written with TypeORM's Table API so the same migration runs on SQLite and Postgres. */
export class InitialLedger1764000000000 implements MigrationInterface {
  name = 'InitialLedger1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = (name: string, nullable = false) => ({
      name,
      type: 'varchar',
      length: '32',
      isNullable: nullable,
    });
    const count = (name: string) => ({ name, type: 'integer', default: 0 });
    await queryRunner.createTable(
      new Table({
        name: 'migration',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'source_platform', type: 'varchar', length: '40' },
          { name: 'destination_platform', type: 'varchar', length: '40' },
          { name: 'source_url', type: 'varchar', length: '400' },
          { name: 'destination_url', type: 'varchar', length: '400' },
          ts('created_at'),
        ],
        indices: [{ columnNames: ['name'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'run',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'migration_id', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '24' },
          { name: 'dry_run', type: 'boolean', default: false },
          { name: 'entities', type: 'text' },
          ts('started_at'),
          ts('finished_at', true),
          { name: 'error', type: 'text', isNullable: true },
        ],
        indices: [{ columnNames: ['migration_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'run_entity',
        columns: [
          { name: 'run_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'entity', type: 'varchar', length: '40', isPrimary: true },
          { name: 'status', type: 'varchar', length: '24' },
          { name: 'checkpoint', type: 'text', isNullable: true },
          count('extracted'),
          count('created'),
          count('updated'),
          count('unchanged'),
          count('quarantined'),
          count('failed'),
          ts('started_at', true),
          ts('finished_at', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ledger_record',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'migration_id', type: 'varchar', length: '36' },
          { name: 'entity', type: 'varchar', length: '40' },
          { name: 'source_id', type: 'varchar', length: '200' },
          { name: 'destination_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'last_outcome', type: 'varchar', length: '16', isNullable: true },
          { name: 'source_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'inbound_mapping', type: 'varchar', length: '120', isNullable: true },
          { name: 'outbound_mapping', type: 'varchar', length: '120', isNullable: true },
          { name: 'refs', type: 'text', isNullable: true },
          { name: 'extra_fields', type: 'text', isNullable: true },
          count('attempts'),
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'last_run_id', type: 'varchar', length: '36', isNullable: true },
          ts('updated_at'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'ledger_record',
      new TableIndex({ columnNames: ['migration_id', 'entity', 'source_id'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'ledger_record',
      new TableIndex({ columnNames: ['migration_id', 'entity', 'status'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ledger_record');
    await queryRunner.dropTable('run_entity');
    await queryRunner.dropTable('run');
    await queryRunner.dropTable('migration');
  }
}
