import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** A lease on each run entity: which worker is running it, until when. The queue can lose its data; this cannot. */
export class EntityLease1764500000000 implements MigrationInterface {
  name = 'EntityLease1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('run_entity', [
      new TableColumn({ name: 'lease_owner', type: 'varchar', length: '120', isNullable: true }),
      new TableColumn({ name: 'lease_until', type: 'varchar', length: '32', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('run_entity', 'lease_until');
    await queryRunner.dropColumn('run_entity', 'lease_owner');
  }
}
