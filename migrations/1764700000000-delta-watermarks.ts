import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Delta runs: each run entity's candidate high-water mark, the mark a completed run left per entity, and the
 * count of records a run deleted because the source deleted them.
 */
export class DeltaWatermarks1764700000000 implements MigrationInterface {
  name = 'DeltaWatermarks1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('run_entity', [
      new TableColumn({ name: 'high_water', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'deleted', type: 'integer', default: 0 }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'watermark',
        columns: [
          { name: 'migration_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'entity', type: 'varchar', length: '40', isPrimary: true },
          { name: 'high_water', type: 'varchar', length: '32' },
          { name: 'run_id', type: 'varchar', length: '36' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('watermark');
    await queryRunner.dropColumn('run_entity', 'deleted');
    await queryRunner.dropColumn('run_entity', 'high_water');
  }
}
