import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Service mode: stored connections (credentials encrypted) and migrations that name them, with their
 * entities, mappings and options; runs that are full or retries of a run's failed records.
 */
export class ServiceMode1764100000000 implements MigrationInterface {
  name = 'ServiceMode1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'connection',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'platform', type: 'varchar', length: '40' },
          { name: 'url', type: 'varchar', length: '400' },
          { name: 'credentials', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.addColumns('migration', [
      new TableColumn({ name: 'source_connection_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'destination_connection_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'definition', type: 'text', isNullable: true }),
    ]);
    await queryRunner.addColumn(
      'run',
      new TableColumn({ name: 'kind', type: 'varchar', length: '16', default: "'full'" }),
    );
    await queryRunner.addColumn(
      'run',
      new TableColumn({ name: 'retry_of', type: 'varchar', length: '36', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('run', 'retry_of');
    await queryRunner.dropColumn('run', 'kind');
    await queryRunner.dropColumn('migration', 'definition');
    await queryRunner.dropColumn('migration', 'destination_connection_id');
    await queryRunner.dropColumn('migration', 'source_connection_id');
    await queryRunner.dropTable('connection');
  }
}
