import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Cutovers: the runbook of one switch, step by step, as it ran. */
export class Cutover1764900000000 implements MigrationInterface {
  name = 'Cutover1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'cutover',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'migration_id', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'steps', type: 'text' },
          { name: 'started_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
        indices: [{ columnNames: ['migration_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cutover');
  }
}
