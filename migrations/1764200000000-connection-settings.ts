import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** Per-connection settings that are not secrets: the platform plan's rate budget, say. */
export class ConnectionSettings1764200000000 implements MigrationInterface {
  name = 'ConnectionSettings1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'connection',
      new TableColumn({ name: 'settings', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('connection', 'settings');
  }
}
