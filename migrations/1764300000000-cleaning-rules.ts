import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/** Plan cleaning rules: a merge key on ledger rows, and skipped/merged counters per run entity. */
export class CleaningRules1764300000000 implements MigrationInterface {
  name = 'CleaningRules1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'ledger_record',
      new TableColumn({ name: 'natural_key', type: 'varchar', length: '300', isNullable: true }),
    );
    await queryRunner.createIndex(
      'ledger_record',
      new TableIndex({ columnNames: ['migration_id', 'entity', 'natural_key'] }),
    );
    for (const name of ['skipped', 'merged'])
      await queryRunner.addColumn('run_entity', new TableColumn({ name, type: 'integer', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ['merged', 'skipped']) await queryRunner.dropColumn('run_entity', name);
    const table = await queryRunner.getTable('ledger_record');
    const index = table?.indices.find((i) => i.columnNames.includes('natural_key'));
    if (index) await queryRunner.dropIndex('ledger_record', index);
    await queryRunner.dropColumn('ledger_record', 'natural_key');
  }
}
