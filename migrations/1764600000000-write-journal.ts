import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The journal of every destination write: records, their children and links, with before-images. */
export class WriteJournal1764600000000 implements MigrationInterface {
  name = 'WriteJournal1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'write_journal',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'migration_id', type: 'varchar', length: '36' },
          { name: 'run_id', type: 'varchar', length: '36' },
          { name: 'entity', type: 'varchar', length: '40' },
          { name: 'source_id', type: 'varchar', length: '200' },
          { name: 'part', type: 'varchar', length: '40' },
          { name: 'object', type: 'varchar', length: '60' },
          { name: 'destination_id', type: 'varchar', length: '200' },
          { name: 'action', type: 'varchar', length: '16' },
          { name: 'before', type: 'text', isNullable: true },
          { name: 'link', type: 'text', isNullable: true },
          { name: 'at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'write_journal',
      new TableIndex({ columnNames: ['migration_id', 'run_id'] }),
    );
    await queryRunner.createIndex(
      'write_journal',
      new TableIndex({ columnNames: ['migration_id', 'entity', 'source_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('write_journal');
  }
}
