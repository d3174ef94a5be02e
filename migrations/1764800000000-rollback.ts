import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Rollback of a run: each journaled write keeps the fields as it wrote them (so a record changed since can be
 * told apart and kept) and the links and children it asked for (so a deleted one can be made again whole), and a
 * rollback run names the run it undoes.
 */
export class Rollback1764800000000 implements MigrationInterface {
  name = 'Rollback1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('write_journal', [
      new TableColumn({ name: 'after', type: 'text', isNullable: true }),
      new TableColumn({ name: 'related', type: 'text', isNullable: true }),
    ]);
    await queryRunner.addColumn(
      'run',
      new TableColumn({ name: 'undoes', type: 'varchar', length: '36', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('run', 'undoes');
    await queryRunner.dropColumn('write_journal', 'related');
    await queryRunner.dropColumn('write_journal', 'after');
  }
}
